// Proves the event streams carry every video completely, in delivery order, with the configured disorder.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngagementSnapshot } from "../../src/contracts/generated/events.js";
import { cutoffsWithGrace, judgeSnapshot } from "../../src/features/stages.js";
import { eventsInOrder } from "../../src/sim/delivery.js";
import type { TopicEvent } from "../../src/sim/types.js";
import { simulateWorld } from "../../src/sim/world.js";

const DISORDER = {
  embeddingInUpload: 0.5,
  embeddingBeforeUpload: 0.4,
  lateSnapshot: 0.1,
  duplicateSnapshot: 0.08,
  sixHourBeforeOneHour: 0.06,
  engagementBeforeUpload: 0.04,
} as const;
const world = simulateWorld({ seed: 21, videos: 3000, dim: 8, disorder: DISORDER });
const events = eventsInOrder(world);
const n = world.videos.length;

function near(actual: number, expected: number, label: string): void {
  // 4 binomial standard errors for the number of trials behind each share
  const tolerance = 4 * Math.sqrt((expected * (1 - expected)) / n) + 0.005;
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual.toFixed(4)} vs configured ${expected} (±${tolerance.toFixed(4)})`);
}

function byVideo(): Map<string, TopicEvent[]> {
  const map = new Map<string, TopicEvent[]>();
  for (const event of events) map.set(event.key, [...(map.get(event.key) ?? []), event]);
  return map;
}

test("events are sorted by delivery time and keyed by video_id", () => {
  assert.ok(events.every((event, i) => i === 0 || event.at >= (events[i - 1]?.at ?? 0)));
  assert.ok(events.every((event) => event.key === event.value.video_id));
});

test("every video has one upload, exactly one embedding (inside or separate), H1 and H6 snapshots and a 7d outcome", () => {
  const videos = byVideo();
  assert.equal(videos.size, n);
  for (const video of world.videos) {
    const own = videos.get(video.videoId) ?? [];
    const uploads = own.filter((e) => e.topic === "uploads");
    const separate = own.filter((e) => e.topic === "embeddings");
    const outcomes = own.filter((e) => e.topic === "outcomes");
    assert.equal(uploads.length, 1);
    const inside = uploads[0]?.topic === "uploads" && uploads[0].value.embedding !== null ? 1 : 0;
    assert.equal(inside + separate.length, 1, `${video.videoId}: embeddings inside ${inside}, separate ${separate.length}`);
    for (const e of separate) if (e.topic === "embeddings") assert.equal(e.value.values.length, world.dim);
    assert.deepEqual(
      new Set(own.flatMap((e) => (e.topic === "engagement" ? [e.value.window] : []))),
      new Set(["H1", "H6"]),
    );
    assert.equal(outcomes.length, 1);
    const outcome = outcomes[0];
    assert.ok(outcome?.topic === "outcomes" && outcome.value.horizon === "7d" && outcome.value.views === video.outcome.views);
  }
});

test("duplicates repeat the same event_id with the same values; shares of each disorder are as configured", () => {
  const snapshots = events.flatMap((e) => (e.topic === "engagement" ? [e.value] : []));
  const byId = new Map<string, EngagementSnapshot[]>();
  for (const s of snapshots) byId.set(s.event_id, [...(byId.get(s.event_id) ?? []), s]);
  assert.equal(byId.size, 2 * n, "one event_id per video and window");
  let duplicated = 0;
  for (const copies of byId.values()) {
    if (copies.length === 1) continue;
    assert.equal(copies.length, 2);
    assert.deepEqual(copies[0], copies[1]);
    duplicated++;
  }
  near(duplicated / (2 * n), DISORDER.duplicateSnapshot, "duplicated snapshots");

  const cutoffs = cutoffsWithGrace();
  const late = world.videos.reduce(
    (count, v) =>
      count +
      (judgeSnapshot("1h", v.h1.observedAt, v.uploadedAt, cutoffs) === "after-cutoff" ? 1 : 0) +
      (judgeSnapshot("6h", v.h6.observedAt, v.uploadedAt, cutoffs) === "after-cutoff" ? 1 : 0),
    0,
  );
  near(late / (2 * n), DISORDER.lateSnapshot, "late snapshots");

  let inside = 0;
  let separateFirst = 0;
  let sixFirst = 0;
  let engagementFirst = 0;
  for (const own of byVideo().values()) {
    const firstAt = (match: (e: TopicEvent) => boolean): number => own.find(match)?.at ?? Number.NaN;
    const upload = own.find((e) => e.topic === "uploads");
    if (upload?.topic === "uploads" && upload.value.embedding !== null) inside++;
    else if (firstAt((e) => e.topic === "embeddings") < (upload?.at ?? 0)) separateFirst++;
    const h1 = firstAt((e) => e.topic === "engagement" && e.value.window === "H1");
    const h6 = firstAt((e) => e.topic === "engagement" && e.value.window === "H6");
    if (h6 < h1) sixFirst++;
    if (h1 < (upload?.at ?? 0)) engagementFirst++;
  }
  near(inside / n, DISORDER.embeddingInUpload, "embedding inside the upload");
  near(separateFirst / (n - inside), DISORDER.embeddingBeforeUpload, "separate embedding before the upload");
  near(sixFirst / n, DISORDER.sixHourBeforeOneHour, "6h delivered before 1h");
  near(engagementFirst / n, DISORDER.engagementBeforeUpload, "engagement delivered before the upload");
});

test("with all disorder switched off, every video's events arrive upload → 1h → 6h → outcome, once each", () => {
  const calm = simulateWorld({
    seed: 4,
    videos: 300,
    dim: 8,
    disorder: { embeddingInUpload: 1, lateSnapshot: 0, duplicateSnapshot: 0, sixHourBeforeOneHour: 0, engagementBeforeUpload: 0 },
  });
  const order = new Map<string, string[]>();
  for (const e of eventsInOrder(calm)) {
    const label = e.topic === "engagement" ? e.value.window : e.topic;
    order.set(e.key, [...(order.get(e.key) ?? []), label]);
  }
  for (const labels of order.values()) assert.deepEqual(labels, ["uploads", "H1", "H6", "outcomes"]);
});
