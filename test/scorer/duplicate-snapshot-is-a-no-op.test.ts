// Proves a duplicated or older snapshot changes nothing: no new score, the stored state stays.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRedis } from "../../src/store/redis.js";
import { VideoStore } from "../../src/store/video-store.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("duplicate-snapshot-is-a-no-op", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  await h.startScorer();
  const id = uniqueName("v");
  const upload = uploadOf(world, 9, id);
  const snapshot = snapshotOf(upload, "H1", 1_200, `${id}-1h`);
  await h.produce([
    { topic: "uploads", key: id, value: upload },
    { topic: "engagement", key: id, value: snapshot },
  ]);
  await h.waitFor("the 1h score", () => h.scoresOf(id).some((s) => s.stage === "H1"));
  // batches of the two topics run concurrently and may each publish the (identical) first 1h score:
  // let everything settle before counting
  await h.waitCaughtUp();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = h.scoresOf(id).length;

  const redis = createRedis(h.config);
  t.after(() => redis.disconnect());
  const store = new VideoStore(redis, h.config.redis.keyPrefix);
  const stateBefore = await redis.hgetall(store.keyOf(id));

  // the same snapshot again, and an older one for the same window
  await h.produce([
    { topic: "engagement", key: id, value: snapshot },
    { topic: "engagement", key: id, value: { ...snapshot, event_id: `${id}-old`, observed_at: snapshot.observed_at - 60_000, views: 5 } },
  ]);
  await h.waitCaughtUp();
  assert.equal(h.scoresOf(id).length, before, "no new score for a duplicate or older snapshot");
  assert.deepEqual(await redis.hgetall(store.keyOf(id)), stateBefore);
});
