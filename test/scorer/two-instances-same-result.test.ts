// Proves two scorers in one consumer group split the partitions and reach the same final scores as
// the bundle gives for each video's inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { OutgoingEvent } from "../../src/ingest/event-producer.js";
import { Predictor } from "../../src/model/predictor.js";
import { finalTarget, ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("two-instances-same-result", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t, { topics: {}, scorer: { groupId: uniqueName("scorer"), modelPollMs: 500 } });
  await h.publishModel(bundle);
  await Promise.all([h.startScorer(), h.startScorer()]);
  const predictor = new Predictor(bundle);
  const events: OutgoingEvent[] = [];
  const expected = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const id = uniqueName(`v${i}`);
    const upload = uploadOf(world, 20 + i, id);
    const h1 = snapshotOf(upload, "H1", 200 + i * 37, `${id}-1h`);
    const h6 = snapshotOf(upload, "H6", 900 + i * 91, `${id}-6h`);
    events.push({ topic: "uploads", key: id, value: upload }, { topic: "engagement", key: id, value: h1 }, { topic: "engagement", key: id, value: h6 });
    expected.set(id, finalTarget(predictor, upload, h1, h6));
  }
  await h.produce(events);
  await h.waitFor("every video's 6h score", () => [...expected.keys()].every((id) => h.scoresOf(id).some((s) => s.stage === "H6")), 60_000);
  for (const [id, target] of expected) {
    const last = h.scoresOf(id).filter((s) => s.stage === "H6").at(-1);
    assert.equal(last?.predicted_target, target, id);
  }
  // both instances took part
  const partitionsWithScores = new Set(h.scores.map((s) => s.partition));
  assert.ok(partitionsWithScores.size >= 2);
});
