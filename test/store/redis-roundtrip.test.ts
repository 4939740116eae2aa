// Proves the real Redis answers through our ioredis client: hashes with binary fields round-trip.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRedis } from "../../src/store/redis.js";
import { testConfig, uniqueName } from "../support/services.js";

test("a hash with a float32 field round-trips through Redis", async (t) => {
  const config = await testConfig(t);
  const redis = createRedis(config);
  const key = `${config.redis.keyPrefix}:video:{${uniqueName("v")}}`;
  t.after(async () => {
    await redis.del(key);
    redis.disconnect();
  });
  const embedding = new Float32Array([0.5, -2, 1e-7, 3.4e38]);
  await redis.hset(key, { channel_id: "c-1", emb: Buffer.from(embedding.buffer) });
  const bytes = await redis.hgetBuffer(key, "emb");
  assert.ok(bytes);
  assert.deepEqual(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)), embedding);
  assert.equal(await redis.hget(key, "channel_id"), "c-1");
});
