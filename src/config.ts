/**
 * The one options module: schema, defaults and validation together. Options come from an optional
 * file (JSON or YAML; `--config` or VIRALITY_CONFIG) and then from environment variables (ENV_VARS
 * below), which win. Validation runs once, at start-up, and fails fast with the key's name; unknown
 * keys in the file are rejected.
 */
import { isRecord } from "./json-guards.js";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ViralityError } from "./errors.js";

const hostPort = z
  .string()
  .regex(/^[^\s:,]+:\d{1,5}$/, "expected host:port")
  .refine((s) => port.safeParse(Number(s.slice(s.lastIndexOf(":") + 1))).success, "port out of range 1..65535");
const port = z.number().int().min(1).max(65535);
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, "a Kafka topic name: letters, digits, . _ -");

export const configSchema = z
  .object({
    kafka: z
      .object({
        brokers: z.array(hostPort).min(1).default(["127.0.0.1:19092"]),
        clientId: z.string().min(1).default("virality"),
      })
      .strict()
      .prefault({}),
    registry: z
      .object({ url: z.url().default("http://127.0.0.1:18081/apis/ccompat/v7") })
      .strict()
      .prefault({}),
    redis: z
      .object({
        url: z.string().regex(/^rediss?:\/\//, "expected redis://host:port").default("redis://127.0.0.1:16379"),
        /** When set, the store talks to a Redis Cluster through these seed nodes instead of `url`. */
        clusterNodes: z.array(hostPort).default([]),
        keyPrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default("virality"),
      })
      .strict()
      .prefault({}),
    topics: z
      .object({
        uploads: topicName.default("video.uploads"),
        embeddings: topicName.default("video.embeddings"),
        engagement: topicName.default("video.engagement"),
        outcomes: topicName.default("video.outcomes"),
        scores: topicName.default("video.scores"),
        alerts: topicName.default("video.alerts"),
        deadLetter: topicName.default("video.dlq"),
        partitions: z.number().int().min(1).max(1000).default(3),
      })
      .strict()
      .prefault({}),
    scorer: z
      .object({
        groupId: z.string().min(1).default("virality-scorer"),
        /** Poll for a new current model this often, in case a notification was missed. */
        modelPollMs: z.number().int().min(100).default(2000),
        /**
         * The consumer's group session: a scorer that died without leaving (SIGKILL, OOM) holds its
         * partitions this long, and a restarted one waits as long to join. The broker allows 6 s and up.
         */
        sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(30_000),
        /**
         * MiB of embeddings the scorer keeps in memory so that Redis need not send a video's embedding
         * back with every engagement event (d = 512: 2 KiB a video, 64 MiB ≈ 32,000 videos); 0 = none.
         */
        embeddingCacheMb: z.number().min(0).max(65_536).default(64),
        /**
         * Offsets of scored batches are committed this often, off the batch path (a crash re-reads at
         * most this much; outputs are idempotent). Committing after every batch, as kafkajs' autoCommit
         * does, held each partition back by a round trip (bench/README.md, scorer-load).
         */
        commitIntervalMs: z.number().int().min(10).max(60_000).default(200),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        /** Alert when predicted views exceed this. */
        viewsAbove: z.number().positive().default(100_000),
        /** Alert when the interval's lower bound exceeds this multiple of the channel's median views. */
        channelMultiple: z.number().positive().default(5),
      })
      .strict()
      .prefault({}),
    http: z
      .object({ host: z.string().default("127.0.0.1"), port: port.default(9464) })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

type Parse = (raw: string) => unknown;
const asList: Parse = (raw) => raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
const asNumber: Parse = (raw) => (raw.trim() === "" ? raw : Number(raw));
const asString: Parse = (raw) => raw;

/** Environment variables and the option each sets. deploy/ manifests use these names (a test checks). */
export const ENV_VARS = {
  VIRALITY_KAFKA_BROKERS: { path: ["kafka", "brokers"], parse: asList },
  VIRALITY_KAFKA_CLIENT_ID: { path: ["kafka", "clientId"], parse: asString },
  VIRALITY_REGISTRY_URL: { path: ["registry", "url"], parse: asString },
  VIRALITY_REDIS_URL: { path: ["redis", "url"], parse: asString },
  VIRALITY_REDIS_CLUSTER_NODES: { path: ["redis", "clusterNodes"], parse: asList },
  VIRALITY_REDIS_KEY_PREFIX: { path: ["redis", "keyPrefix"], parse: asString },
  VIRALITY_TOPIC_UPLOADS: { path: ["topics", "uploads"], parse: asString },
  VIRALITY_TOPIC_EMBEDDINGS: { path: ["topics", "embeddings"], parse: asString },
  VIRALITY_TOPIC_ENGAGEMENT: { path: ["topics", "engagement"], parse: asString },
  VIRALITY_TOPIC_OUTCOMES: { path: ["topics", "outcomes"], parse: asString },
  VIRALITY_TOPIC_SCORES: { path: ["topics", "scores"], parse: asString },
  VIRALITY_TOPIC_ALERTS: { path: ["topics", "alerts"], parse: asString },
  VIRALITY_TOPIC_DLQ: { path: ["topics", "deadLetter"], parse: asString },
  VIRALITY_TOPIC_PARTITIONS: { path: ["topics", "partitions"], parse: asNumber },
  VIRALITY_GROUP_ID: { path: ["scorer", "groupId"], parse: asString },
  VIRALITY_MODEL_POLL_MS: { path: ["scorer", "modelPollMs"], parse: asNumber },
  VIRALITY_SESSION_TIMEOUT_MS: { path: ["scorer", "sessionTimeoutMs"], parse: asNumber },
  VIRALITY_EMBEDDING_CACHE_MB: { path: ["scorer", "embeddingCacheMb"], parse: asNumber },
  VIRALITY_COMMIT_INTERVAL_MS: { path: ["scorer", "commitIntervalMs"], parse: asNumber },
  VIRALITY_ALERT_VIEWS_ABOVE: { path: ["alerts", "viewsAbove"], parse: asNumber },
  VIRALITY_ALERT_CHANNEL_MULTIPLE: { path: ["alerts", "channelMultiple"], parse: asNumber },
  VIRALITY_HTTP_HOST: { path: ["http", "host"], parse: asString },
  VIRALITY_HTTP_PORT: { path: ["http", "port"], parse: asNumber },
  VIRALITY_LOG_LEVEL: { path: ["log", "level"], parse: asString },
} as const satisfies Record<string, { path: readonly [string, string]; parse: Parse }>;

export type EnvVarName = keyof typeof ENV_VARS;


function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ViralityError("VIR_CONFIG_FILE", `cannot read config file ${file}`, { cause, details: { file } });
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ViralityError("VIR_CONFIG_FILE", `config file ${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}`, {
      cause,
      details: { file },
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isRecord(parsed)) {
    throw new ViralityError("VIR_CONFIG_FILE", `config file ${file} must hold an object of options`, { details: { file } });
  }
  return parsed;
}

export interface LoadConfigOptions {
  /** A JSON or YAML file of options; defaults to $VIRALITY_CONFIG. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Options set in code (tests, the demo); they win over env and file. */
  readonly overrides?: Record<string, unknown>;
}

function mergeDeep(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? mergeDeep(current, value) : value;
  }
  return out;
}

/** Reads, merges and validates the options once; throws VIR_CONFIG_INVALID naming the key. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env["VIRALITY_CONFIG"];
  let raw: Record<string, unknown> = file ? readConfigFile(file) : {};
  const sources = new Map<string, string>();
  for (const [name, spec] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined) continue;
    const [section, key] = spec.path;
    raw = mergeDeep(raw, { [section]: { [key]: spec.parse(value) } });
    sources.set(`${section}.${key}`, name);
  }
  if (options.overrides) raw = mergeDeep(raw, options.overrides);
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k].join(".")) : [issue.path.join(".")];
    return keys
      .map((key) => {
        const topKey = key.split(".").slice(0, 2).join(".");
        const from = sources.get(topKey);
        const origin = from ? ` (from ${from})` : file ? ` (in ${file})` : "";
        const what = issue.code === "unrecognized_keys" ? "unknown option" : issue.message;
        return `${key}${origin}: ${what}`;
      })
      .join("; ");
  });
  const first = result.error.issues[0];
  const firstKey =
    first === undefined ? "" : first.code === "unrecognized_keys" ? [...first.path, ...first.keys].join(".") : first.path.join(".");
  throw new ViralityError("VIR_CONFIG_INVALID", `invalid configuration: ${problems.join("; ")}`, {
    details: { key: firstKey },
  });
}

/** Every topic name under one prefix (`<prefix>.uploads`, …, `<prefix>.dlq`): a test's or a bench run's own topics. */
export function topicsUnder(prefix: string): Omit<Config["topics"], "partitions"> {
  return {
    uploads: `${prefix}.uploads`,
    embeddings: `${prefix}.embeddings`,
    engagement: `${prefix}.engagement`,
    outcomes: `${prefix}.outcomes`,
    scores: `${prefix}.scores`,
    alerts: `${prefix}.alerts`,
    deadLetter: `${prefix}.dlq`,
  };
}

/**
 * The VIRALITY_* variables that make `loadConfig` in another process give `config` (every ENV_VARS
 * entry): how the tests and benches hand a config to a scorer they spawn.
 */
export function envOfConfig(config: Config): Record<string, string> {
  const sections = new Map<string, unknown>(Object.entries(config));
  const env: Record<string, string> = {};
  for (const [name, { path: [section, key] }] of Object.entries(ENV_VARS)) {
    const holder = sections.get(section);
    const value = isRecord(holder) ? holder[key] : undefined;
    if (Array.isArray(value)) env[name] = value.map(String).join(",");
    else if (typeof value === "string" || typeof value === "number") env[name] = String(value);
    else throw new Error(`config has no value for ${name} (${section}.${key})`);
  }
  return env;
}
