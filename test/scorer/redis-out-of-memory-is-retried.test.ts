// Proves a Redis that refuses writes for a while (maxmemory reached: OOM, raised inside the store's
// script) makes the scorer retry, not dead-letter: the event is scored once Redis accepts writes again.
// Only a reply about the key itself (WRONGTYPE, a script error on its data) is final for that video.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRedis } from "../../src/store/redis.js";
import { PrivateStack } from "../support/private-stack.js";
import { ScoringHarness, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("redis-out-of-memory-is-retried", { timeout: 120_000 }, async (t) => {
  const { world, bundle } = await trainedWorld();
  // a Redis of this test's own: its maxmemory is set to nothing for a while
  const stack = await PrivateStack.create();
  await stack.up("redis");
  // hooks run in the order registered: the harness cleans up before its Redis goes away
  const h = await ScoringHarness.create(t, { redis: { url: stack.redisUrl, keyPrefix: uniqueName("oom") } });
  const admin = createRedis(h.config);
  t.after(async () => {
    admin.disconnect();
    await stack.destroy();
  });
  await h.publishModel(bundle);
  await h.startScorer();

  await admin.config("SET", "maxmemory", "1");
  const id = uniqueName("v");
  await h.produce([{ topic: "uploads", key: id, value: uploadOf(world, 3, id) }]);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  assert.equal(h.scoresOf(id).length, 0, "nothing can be stored while Redis refuses writes");
  assert.equal(h.deadLetters.length, 0, "a full Redis is not the event's fault");

  await admin.config("SET", "maxmemory", "0");
  await h.waitFor("the video's score once Redis accepts writes", () => h.scoresOf(id).length === 1);
  assert.equal(h.deadLetters.length, 0);
});
