// Reproduces a scorer crash found by the fault suite: when Redis failed while a batch was being marked
// published, the rejected mark surfaced first and the input-times read sent in the same round trip was
// left rejected with no handler, which kills a Node process (unhandled rejection) instead of retrying.
import assert from "node:assert/strict";
import { test } from "node:test";
import { VideoStore } from "../../src/store/video-store.js";
import { testRedis, uniqueName } from "../support/services.js";

test("a failed markPublished rejects once, leaving no promise rejected unhandled", async (t) => {
  const { config, redis } = await testRedis(t);
  const store = new VideoStore(redis, config.redis.keyPrefix);
  const videoId = uniqueName("v");
  const key = store.keyOf(videoId);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  // a string where the video's hash belongs: every command of the round trip fails (WRONGTYPE)
  await redis.set(key, "not a hash");
  await assert.rejects(store.markPublished([{ videoId, signature: "sig" }]), (error: Error) => {
    assert.match(error.message, /marking scores published failed: WRONGTYPE/);
    return true;
  });
  // unhandled rejections are reported after the microtask queue drains
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(unhandled.map(String), []);
});
