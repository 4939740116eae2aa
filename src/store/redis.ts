/**
 * The Redis connection: one node (`redis.url`) or a Redis Cluster (`redis.clusterNodes`). Every key
 * the project writes carries a `{video_id}` style hash tag where keys must live together.
 */
import { Cluster, Redis } from "ioredis";
import type { Config } from "../config.js";

export type RedisClient = Redis | Cluster;

export interface RedisRole {
  /**
   * A pub/sub subscriber: no auto-pipelining and no ready check, whose INFO on a reconnect is refused
   * by Redis while the connection is in subscriber mode (seen in the 1M-event soak).
   */
  readonly subscriber?: boolean;
}

export function createRedis(config: Config, role: RedisRole = {}): RedisClient {
  const subscriber = role.subscriber === true;
  const common = {
    maxRetriesPerRequest: 20,
    enableAutoPipelining: !subscriber,
    // ioredis' auto-pipelining drops the command name of callBuffer() (it re-adds it for call() only):
    // the store's script calls, which need binary replies, are sent directly instead
    autoPipeliningIgnoredCommands: ["evalsha", "eval"],
    enableReadyCheck: !subscriber,
    lazyConnect: false,
  };
  if (config.redis.clusterNodes.length > 0) {
    const nodes = config.redis.clusterNodes.map((node) => {
      const at = node.lastIndexOf(":");
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    });
    return new Cluster(nodes, { redisOptions: common, scaleReads: "master" });
  }
  return new Redis(config.redis.url, { ...common, retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000) });
}

/** Keys matching a pattern, a page at a time, across every master of a Redis Cluster. */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 500): AsyncGenerator<string[]> {
  const nodes = "nodes" in redis ? redis.nodes("master") : [redis];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== "0");
  }
}

/** Deletes every key under `<prefix>:` (one key per command: cluster-safe). */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of scanKeys(redis, `${prefix}:*`, 1000)) {
    await Promise.all(keys.map((key) => redis.del(key)));
    deleted += keys.length;
  }
  return deleted;
}
