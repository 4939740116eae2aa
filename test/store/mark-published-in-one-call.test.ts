// Marking a batch's scores published goes out as script calls of up to 256 videos each (one call per
// video on a Cluster), each returning the videos' input times read in the same step. This pins that
// every video gets its own signature, alert mark and input times across call boundaries.
import assert from "node:assert/strict";
import { test } from "node:test";
import { VideoStore, type StoreWrite } from "../../src/store/video-store.js";
import { testRedis, uniqueName } from "../support/services.js";

const T0 = 1_700_000_000_000;

function engagement(at: number): StoreWrite {
  return { kind: "engagement", snapshot: { window: "6h", observed_at: at, views: 1, likes: null, comments: null, shares: null } };
}

test("marking 600 videos published (three script calls) records each video's signature and alert and returns its own input times", async (t) => {
  const { config, redis } = await testRedis(t);
  const store = new VideoStore(redis, config.redis.keyPrefix);
  const ids = Array.from({ length: 600 }, () => uniqueName("v"));
  const neverWritten = uniqueName("v");
  await store.write(ids.map((videoId, i) => ({ videoId, write: engagement(T0 + i) })));

  const entries = ids.map((videoId, i) => ({ videoId, signature: `sig-${i}`, alertKey: i % 5 === 0 ? "6h:m1" : undefined }));
  const times = await store.markPublished([...entries, { videoId: neverWritten, signature: "sig-x" }]);
  assert.equal(times.size, 601);
  for (const [i, id] of ids.entries()) {
    assert.equal(times.get(id), `0,0,0,${T0 + i}`, `input times of video ${i}`);
    assert.equal(await redis.hget(store.keyOf(id), "s"), `sig-${i}`);
    assert.equal(await redis.hget(store.keyOf(id), "a:6h:m1"), i % 5 === 0 ? "1" : null, `alert mark of video ${i}`);
  }
  assert.equal(times.get(neverWritten), "0,0,0,0", "a video with no input times reads as none");

  // an alert is marked once: a second mark of the same alert key leaves the first one's value
  await redis.hset(store.keyOf(ids[0] ?? ""), "a:6h:m1", "first");
  await store.markPublished([{ videoId: ids[0] ?? "", signature: "sig-again", alertKey: "6h:m1" }]);
  assert.equal(await redis.hget(store.keyOf(ids[0] ?? ""), "a:6h:m1"), "first");
  assert.equal(await redis.hget(store.keyOf(ids[0] ?? ""), "s"), "sig-again");
});
