/**
 * Real services for integration tests (see src/ops/services.ts for how they are found) and unique,
 * self-cleaning names so tests never share a topic, group, subject or key.
 */
import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { loadConfig, topicsUnder, type Config } from "../../src/config.js";
import { EventSerde } from "../../src/contracts/serde.js";
import { allTopics, createKafka } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { discoverServices, type ServiceAddresses } from "../../src/ops/services.js";
import { createRedis, deleteKeysWithPrefix, type RedisClient } from "../../src/store/redis.js";

let found: Promise<ServiceAddresses> | undefined;

export function testServices(): Promise<ServiceAddresses> {
  found ??= discoverServices({ onLine: (line) => process.stderr.write(`${line}\n`) });
  return found;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** A config pointing at the real services with unique topic, group and key names. */
export async function testConfig(t: TestContext, overrides: Record<string, unknown> = {}): Promise<Config> {
  const services = await testServices();
  const id = uniqueName("t");
  const config = loadConfig({
    env: {},
    overrides: {
      kafka: { brokers: services.kafkaBrokers, clientId: `virality-${id}` },
      registry: { url: services.registryUrl },
      redis: { url: services.redisUrl, keyPrefix: `test-${id}` },
      topics: { ...topicsUnder(id), partitions: 3 },
      scorer: { groupId: `${id}.group` },
      log: { level: "warn" },
      ...overrides,
    },
  });
  t.after(() => cleanUp(config));
  return config;
}

/** The test's config and a Redis connection, closed after the test; its keys go with cleanUp. */
export async function testRedis(t: TestContext): Promise<{ config: Config; redis: RedisClient }> {
  const config = await testConfig(t);
  const redis = createRedis(config);
  t.after(() => redis.disconnect());
  return { config, redis };
}

/** Deletes consumer groups (those still in use or never created are left: the broker says so per group). */
export async function deleteGroups(config: Config, groups: readonly string[]): Promise<void> {
  const admin = createKafka(config, createLogger("silent")).admin();
  try {
    await admin.connect();
    await admin.deleteGroups([...groups]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the test's topics, its scorer group, its registry subjects and its Redis keys. */
export async function cleanUp(config: Config): Promise<void> {
  const kafka = createKafka(config, createLogger("silent"));
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const mine = allTopics(config).filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
    await admin.deleteGroups([config.scorer.groupId]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  await new EventSerde(config.registry.url).deleteSubjects(allTopics(config));
  // the store, the model registry and the epoch all live under the prefix (the demo's tests left theirs)
  const redis = createRedis(config);
  try {
    await deleteKeysWithPrefix(redis, config.redis.keyPrefix);
  } finally {
    redis.disconnect();
  }
}
