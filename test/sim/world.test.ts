// Proves the simulator is a pure function of its seed and options, and that its world has the promised shape.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { simulateWorld } from "../../src/sim/world.js";
import { writeWorld } from "../../src/sim/write.js";
import { tempDir } from "./helpers.js";

const SMALL = { videos: 400, channels: 30, dim: 16 } as const;

test("the same seed writes byte-identical files; another seed writes different ones", async (t) => {
  const [a, b, c] = await Promise.all([tempDir(t, "a"), tempDir(t, "b"), tempDir(t, "c")]);
  const filesA = await writeWorld(simulateWorld({ ...SMALL, seed: 11 }), a);
  const filesB = await writeWorld(simulateWorld({ ...SMALL, seed: 11 }), b);
  const filesC = await writeWorld(simulateWorld({ ...SMALL, seed: 12 }), c);
  for (const name of ["fused", "csv", "parquet", "events"] as const) {
    const [bytesA, bytesB, bytesC] = await Promise.all([readFile(filesA[name]), readFile(filesB[name]), readFile(filesC[name])]);
    assert.ok(bytesA.length > 0, `${name} is empty`);
    assert.ok(bytesA.equals(bytesB), `${name} differs between two runs with seed 11`);
    assert.ok(!bytesA.equals(bytesC), `${name} is the same for seeds 11 and 12`);
  }
});

test("changing the embedding dimension leaves views and timing unchanged", () => {
  const narrow = simulateWorld({ ...SMALL, seed: 5, dim: 8 });
  const wide = simulateWorld({ ...SMALL, seed: 5, dim: 32 });
  assert.deepEqual(
    narrow.videos.map((v) => [v.videoId, v.uploadedAt, v.h1.views, v.outcome.views]),
    wide.videos.map((v) => [v.videoId, v.uploadedAt, v.h1.views, v.outcome.views]),
  );
  assert.equal(wide.videos[0]?.embedding.length, 32);
});

test("defaults: 3,000 videos, ~150 channels of log-normal size, 6 weeks of uploads in time order", () => {
  const world = simulateWorld();
  assert.equal(world.videos.length, 3000);
  assert.equal(world.channels.length, 150);
  assert.equal(world.dim, 64);
  const times = world.videos.map((v) => v.uploadedAt);
  assert.ok(times.every((time, i) => i === 0 || time >= (times[i - 1] ?? 0)), "videos are in upload order");
  const spanDays = (Math.max(...times) - Math.min(...times)) / 86_400_000;
  assert.ok(spanDays > 40 && spanDays <= 42, `uploads span ${spanDays} days`);
  const logFollowers = world.channels.map((c) => Math.log10(c.followers));
  assert.ok(Math.max(...logFollowers) - Math.min(...logFollowers) > 2.5, "channel sizes span orders of magnitude");
  const usedChannels = new Set(world.videos.map((v) => v.channelId));
  assert.ok(usedChannels.size > 140);
});

test("final views are heavy-tailed: the top 1% of videos hold more than 10% of all views", () => {
  const views = simulateWorld().videos.map((v) => v.outcome.views).sort((a, b) => b - a);
  const total = views.reduce((sum, v) => sum + v, 0);
  const top = views.slice(0, views.length / 100).reduce((sum, v) => sum + v, 0);
  assert.ok(top / total > 0.1, `top 1% share ${top / total}`);
  const median = views[views.length >> 1] ?? 0;
  assert.ok((views[0] ?? 0) > 50 * median, `max ${views[0]} vs median ${median}`);
});

test("counts grow: 1h ≤ 6h ≤ 7d for every video and metric, with 1h observed before 6h", () => {
  for (const v of simulateWorld({ seed: 3 }).videos) {
    assert.ok(v.h1.observedAt > v.uploadedAt && v.h1.observedAt < v.h6.observedAt);
    for (const metric of ["views", "likes", "comments", "shares"] as const) {
      const [a, b, c] = [v.h1[metric] ?? 0, v.h6[metric] ?? 0, v.outcome[metric] ?? 0];
      assert.ok(a <= b && b <= c, `${v.videoId} ${metric}: ${a}, ${b}, ${c}`);
    }
    assert.ok((v.outcome.likes ?? 0) <= v.outcome.views);
  }
});

test("unknown or out-of-range options are refused naming the key", () => {
  assert.throws(
    () => simulateWorld({ ...SMALL, disorder: { lateSnapshot: 2 } }),
    (error) => isViralityError(error, "VIR_CONFIG_INVALID") && /disorder\.lateSnapshot/.test(error.message),
  );
  const unknown: Record<string, unknown> = { ...SMALL, vidoes: 10 };
  assert.throws(
    () => simulateWorld(unknown),
    (error) => isViralityError(error, "VIR_CONFIG_INVALID") && /vidoes: unknown option/.test(error.message),
  );
});
