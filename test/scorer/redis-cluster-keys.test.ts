// Proves the feature store works on a 3-master Redis Cluster: each video's keys share a hash tag, the
// Lua guard runs, and videos spread over the masters.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Cluster } from "ioredis";
import { discoverServices } from "../../src/ops/services.js";
import { createRedis } from "../../src/store/redis.js";
import { VideoStore } from "../../src/store/video-store.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("redis-cluster-keys", async (t) => {
  const services = await discoverServices({ env: {}, cluster: true });
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t, { redis: { clusterNodes: services.redisClusterNodes, keyPrefix: uniqueName("cluster") } });
  await h.publishModel(bundle);
  await h.startScorer();
  const ids = Array.from({ length: 12 }, (_, i) => uniqueName(`c${i}`));
  await h.produce(
    ids.flatMap((id, i) => {
      const upload = uploadOf(world, 100 + i, id);
      return [
        { topic: "uploads" as const, key: id, value: upload },
        { topic: "engagement" as const, key: id, value: snapshotOf(upload, "H1", 300, `${id}-1h`) },
      ];
    }),
  );
  await h.waitFor("every video's 1h score", () => ids.every((id) => h.scoresOf(id).some((s) => s.stage === "H1")));
  const redis = createRedis(h.config);
  t.after(() => redis.disconnect());
  assert.ok(redis instanceof Cluster);
  const store = new VideoStore(redis, h.config.redis.keyPrefix);
  const stored = await store.read(ids);
  assert.equal(stored.size, ids.length);
  const slots = new Set(ids.map((id) => store.keyOf(id)).map((key) => key.slice(key.indexOf("{"))));
  assert.equal(slots.size, ids.length);
  // the keys live on more than one master
  const masters = redis.nodes("master");
  const holding = await Promise.all(masters.map(async (node) => (await node.keys(`${h.config.redis.keyPrefix}:v:*`)).length));
  assert.ok(holding.filter((n) => n > 0).length >= 2, `keys per master: ${holding.join(", ")}`);
});
