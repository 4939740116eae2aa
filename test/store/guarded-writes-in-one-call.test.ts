// On a single Redis the guarded writes of a batch go out as a few script calls of up to 256 videos
// each. These pin that a key another client broke fails only its own video, and that batches spanning
// several calls keep every video's result with its video.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { VideoStore, type StoreWrite } from "../../src/store/video-store.js";
import { testRedis, uniqueName } from "../support/services.js";

const T0 = 1_700_000_000_000;

function engagement(at: number, views: number): StoreWrite {
  return { kind: "engagement", snapshot: { window: "1h", observed_at: at, views, likes: null, comments: null, shares: null } };
}

test("a broken key in a batch fails only its own video: another type, or input times that are not numbers", async (t) => {
  const { config, redis } = await testRedis(t);
  const store = new VideoStore(redis, config.redis.keyPrefix);
  const ids = Array.from({ length: 5 }, () => uniqueName("v"));
  const [good1, wrongType, good2, badTimes, good3] = ids;
  assert.ok(good1 !== undefined && wrongType !== undefined && good2 !== undefined && badTimes !== undefined && good3 !== undefined);
  await redis.set(store.keyOf(wrongType), "not a hash");
  await redis.hset(store.keyOf(badTimes), "t", "0,0,soon,0");

  const { videos, rejected } = await store.writeAndRead(ids.map((videoId, i) => ({ videoId, write: engagement(T0 + i, 100 + i) })));
  assert.deepEqual([...videos.keys()].sort(), [good1, good2, good3].sort());
  assert.equal(videos.get(good2)?.records.engagement[0]?.views, 102);
  assert.deepEqual([...rejected.keys()].sort(), [wrongType, badTimes].sort());
  const typeError = rejected.get(wrongType);
  assert.ok(isViralityError(typeError, "VIR_STORE_REJECTED"));
  assert.match(typeError.message, new RegExp(`WRONGTYPE.*DEL ${config.redis.keyPrefix}:v:\\{${wrongType}\\}`));
  assert.match(rejected.get(badTimes)?.message ?? "", /the input times \(field t\) are not 4 numbers: 0,0,soon,0/);
  assert.equal(await redis.get(store.keyOf(wrongType)), "not a hash", "a broken key is left alone");
  assert.equal(await redis.hget(store.keyOf(badTimes), "e1"), null);
});

test("a batch of 600 videos (three script calls) gives each video its own state", async (t) => {
  const { config, redis } = await testRedis(t);
  const store = new VideoStore(redis, config.redis.keyPrefix);
  const ids = Array.from({ length: 600 }, () => uniqueName("v"));
  const first = await store.writeAndRead(ids.map((videoId, i) => ({ videoId, write: engagement(T0 + i, i) })));
  assert.equal(first.videos.size, 600);
  // again, with one write of every third video older than what is stored
  const second = await store.writeAndRead(ids.map((videoId, i) => ({ videoId, write: engagement(T0 + i + (i % 3 === 0 ? -1 : 1), 10_000 + i) })));
  for (const [i, id] of ids.entries()) {
    const views = second.videos.get(id)?.records.engagement[0]?.views;
    assert.equal(views, i % 3 === 0 ? i : 10_000 + i, `video ${i}`);
  }
  const changed = await store.write(ids.slice(0, 300).map((videoId, i) => ({ videoId, write: engagement(T0 + i + 1, 0) })));
  assert.equal([...changed.values()].filter(Boolean).length, 100, "only the videos whose stored snapshot is older take it");
});
