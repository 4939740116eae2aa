/**
 * The Redis connection: one node (`redis.url`) or a Redis Cluster (`redis.clusterNodes`). Every key
 * the project writes carries a `{video_id}` style hash tag where keys must live together.
 */
import { Cluster, Redis } from "ioredis";
import type { Config } from "../config.js";

export type RedisClient = Redis | Cluster;

export function createRedis(config: Config): RedisClient {
  const common = { maxRetriesPerRequest: 20, enableAutoPipelining: true, lazyConnect: false };
  if (config.redis.clusterNodes.length > 0) {
    const nodes = config.redis.clusterNodes.map((node) => {
      const at = node.lastIndexOf(":");
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    });
    return new Cluster(nodes, { redisOptions: common, scaleReads: "master" });
  }
  return new Redis(config.redis.url, { ...common, retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000) });
}
