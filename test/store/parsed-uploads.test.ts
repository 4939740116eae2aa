// Every engagement event reads its video's upload back from Redis; the store parses the upload's JSON
// once and reuses the record while the stored bytes stay the same. These pin that a reused record is
// never a stale one: whatever changes the stored bytes (a newer upload through the guard, another
// client writing the field) is parsed afresh.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { UploadRecord } from "../../src/features/records.js";
import { VideoStore, type StoreWrite } from "../../src/store/video-store.js";
import { testRedis, uniqueName } from "../support/services.js";

const T0 = 1_700_000_000_000;

function upload(videoId: string, at: number, channel: string): StoreWrite {
  return { kind: "upload", record: { video_id: videoId, channel_id: channel, uploaded_at: at, duration_seconds: 30 } };
}

function engagement(at: number, views: number): StoreWrite {
  return { kind: "engagement", snapshot: { window: "1h", observed_at: at, views, likes: 1, comments: 0, shares: 0 } };
}

test("a video's upload is parsed once while its stored bytes stay the same, and afresh when they change", async (t) => {
  const { config, redis } = await testRedis(t);
  const store = new VideoStore(redis, config.redis.keyPrefix);
  const videoId = uniqueName("v");
  const uploadAfter = async (write: StoreWrite): Promise<UploadRecord | null | undefined> =>
    (await store.writeAndRead([{ videoId, write }])).videos.get(videoId)?.records.upload;

  const first = await uploadAfter(upload(videoId, T0, "c-1"));
  assert.equal(first?.channel_id, "c-1");
  const again = await uploadAfter(engagement(T0 + 3_600_000, 100));
  assert.equal(again, first, "the same stored bytes give the record parsed before");

  // an older upload loses to the guard: the stored one (and its record) stays
  assert.equal(await uploadAfter(upload(videoId, T0 - 1, "c-0")), first);

  // a newer upload lands and is what the store returns from then on
  const newer = await uploadAfter(upload(videoId, T0 + 1, "c-2"));
  assert.equal(newer?.channel_id, "c-2");
  assert.equal(newer?.uploaded_at, T0 + 1);
  assert.equal((await uploadAfter(engagement(T0 + 3_600_001, 110)))?.channel_id, "c-2");

  // another client rewrites the field without the guard (not something the scorer does): the bytes
  // differ, so the record is parsed from them, although the input times did not move
  await redis.hset(store.keyOf(videoId), "u", JSON.stringify({ channel_id: "c-3", uploaded_at: T0 + 1, duration_seconds: 45 }));
  const rewritten = await uploadAfter(engagement(T0 + 3_600_002, 120));
  assert.equal(rewritten?.channel_id, "c-3");
  assert.equal(rewritten?.duration_seconds, 45);

  // a second store (another scorer) parses its own records from the same bytes
  const other = new VideoStore(redis, config.redis.keyPrefix);
  assert.deepEqual((await other.read([videoId])).get(videoId)?.records.upload, rewritten);
});
