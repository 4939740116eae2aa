// The scorer's store keeps recent embeddings in memory, and the guarded-write script then leaves the
// embedding's bytes out of its reply. These pin that the omission happens, and that what the store
// returns is always the embedding Redis holds under the write guard.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EmbeddingCache } from "../../src/store/embedding-cache.js";
import { VideoStore, type StoreWrite } from "../../src/store/video-store.js";
import { testRedis, uniqueName } from "../support/services.js";

const T0 = 1_700_000_000_000;

function upload(videoId: string): StoreWrite {
  return { kind: "upload", record: { video_id: videoId, channel_id: "c-1", uploaded_at: T0, duration_seconds: 30 } };
}

function embedding(at: number, fill: number): StoreWrite {
  return { kind: "embedding", eventTime: at, values: new Float32Array(512).fill(fill) };
}

function engagement(at: number, views: number): StoreWrite {
  return { kind: "engagement", snapshot: { window: "1h", observed_at: at, views, likes: 1, comments: 0, shares: 0 } };
}

test("an embedding the store holds is not sent again, and a newer one replaces it while an older one does not", async (t) => {
  const { config, redis } = await testRedis(t);
  const held = new VideoStore(redis, config.redis.keyPrefix, { embeddingCacheBytes: 1024 * 1024 });
  const plain = new VideoStore(redis, config.redis.keyPrefix);
  const videoId = uniqueName("v");
  const key = held.keyOf(videoId);
  const writeOne = async (write: StoreWrite): Promise<Float32Array | null | undefined> => {
    const { videos } = await held.writeAndRead([{ videoId, write }]);
    return videos.get(videoId)?.records.embedding;
  };

  await writeOne(upload(videoId));
  assert.equal((await writeOne(embedding(T0, 0.25)))?.[0], 0.25);
  assert.deepEqual(held.heldEmbeddings, { videos: 1, bytes: 2048 });

  // Another client changes the bytes without the guard (not something the scorer does): the next
  // reply leaves them out because the event time is unchanged, so the held bytes come back. This is
  // what shows that Redis did not send them.
  await redis.hset(key, "emb", Buffer.from(new Float32Array(512).fill(9).buffer));
  assert.equal((await writeOne(engagement(T0 + 3_600_000, 100)))?.[0], 0.25);
  assert.equal((await plain.read([videoId])).get(videoId)?.records.embedding?.[0], 9, "a store without held embeddings reads the bytes");

  // a newer embedding lands and is held from then on
  assert.equal((await writeOne(embedding(T0 + 1, 0.5)))?.[0], 0.5);
  assert.equal((await writeOne(engagement(T0 + 3_600_001, 120)))?.[0], 0.5);
  // an older one is refused by the guard: the stored (held) one comes back
  assert.equal((await writeOne(embedding(T0 - 1, 0.75)))?.[0], 0.5);
  const video = (await held.writeAndRead([{ videoId, write: engagement(T0 + 3_600_002, 130) }])).videos.get(videoId);
  assert.equal(video?.records.embedding?.[0], 0.5);
  assert.equal(video?.records.engagement[0]?.views, 130);

  held.forgetHeldEmbeddings();
  assert.deepEqual(held.heldEmbeddings, { videos: 0, bytes: 0 });
  await redis.hset(key, "emb", Buffer.from(new Float32Array(512).fill(7).buffer));
  assert.equal((await writeOne(engagement(T0 + 3_600_003, 140)))?.[0], 7, "with nothing held, the stored bytes are read");
});

test("held embeddings stay within their byte budget, least recently used out first", () => {
  const cache = new EmbeddingCache(3 * 2048);
  const values = (): Float32Array => new Float32Array(512);
  for (const id of ["a", "b", "c"]) cache.set(id, { eventTime: 1, values: values() });
  assert.ok(cache.get("a") !== undefined); // a is now the most recent
  cache.set("d", { eventTime: 1, values: values() });
  assert.equal(cache.get("b"), undefined, "b was the least recently used");
  assert.deepEqual([cache.size, cache.bytes], [3, 3 * 2048]);
  cache.set("a", { eventTime: 2, values: values() });
  assert.equal(cache.get("a")?.eventTime, 2);
  assert.deepEqual([cache.size, cache.bytes], [3, 3 * 2048], "replacing an entry does not count it twice");
  cache.set("huge", { eventTime: 1, values: new Float32Array(4 * 512) });
  assert.equal(cache.get("huge"), undefined, "an entry over the whole budget is not held");
  assert.equal(cache.size, 3);
});
