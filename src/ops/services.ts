/**
 * Finding the real services for tests and the demo, in this order:
 *  1. addresses from the environment (VIRALITY_KAFKA_BROKERS, VIRALITY_REGISTRY_URL, VIRALITY_REDIS_URL);
 *  2. the local stack (deploy/local/stack.sh): reused when it answers, else started;
 *  3. when no local stack can start but a Docker engine answers, containers via testcontainers.
 */
import { execFile, spawn } from "node:child_process";
import { connect } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ViralityError } from "../errors.js";

export interface ServiceAddresses {
  readonly kafkaBrokers: string[];
  readonly registryUrl: string;
  readonly redisUrl: string;
  readonly redisClusterNodes: string[];
  /** How they were found: env, local stack, or containers. */
  readonly source: "env" | "local" | "containers";
}

export const LOCAL_DEFAULTS = {
  kafka: "127.0.0.1:19092",
  registry: "http://127.0.0.1:18081/apis/ccompat/v7",
  redis: "redis://127.0.0.1:16379",
  cluster: ["127.0.0.1:17001", "127.0.0.1:17002", "127.0.0.1:17003"],
} as const;

/** The repository root (this file is dist/src/ops/services.js once compiled). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
}

export function stackScript(): string {
  return path.join(repoRoot(), "deploy/local/stack.sh");
}

export function portAnswers(hostPort: string, timeoutMs = 1_000): Promise<boolean> {
  const at = hostPort.lastIndexOf(":");
  const host = hostPort.slice(0, at).replace(/^\[|\]$/g, "");
  const port = Number(hostPort.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function hostPortOfUrl(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "6379");
  return `${u.hostname}:${port}`;
}

/** Runs `stack.sh up SERVICES…`, streaming its progress lines to `onLine`. */
export function stackUp(services: readonly string[], onLine: (line: string) => void = () => {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [stackScript(), "up", ...services], { stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      tail = (tail + text).slice(-4_000);
      for (const line of text.split("\n")) if (line.trim() !== "") onLine(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new ViralityError("VIR_SERVICE_NOT_READY", `deploy/local/stack.sh up ${services.join(" ")} failed (exit ${code}):\n${tail}`, {
            details: { services: services.join(",") },
          }),
        );
    });
  });
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await promisify(execFile)("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

export interface DiscoverOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Also make the 3-master Redis Cluster available (the scale-out test). */
  readonly cluster?: boolean;
  readonly onLine?: (line: string) => void;
}

export async function discoverServices(options: DiscoverOptions = {}): Promise<ServiceAddresses> {
  const env = options.env ?? process.env;
  const kafka = env["VIRALITY_KAFKA_BROKERS"];
  const registry = env["VIRALITY_REGISTRY_URL"];
  const redis = env["VIRALITY_REDIS_URL"];
  if (kafka && registry && redis) {
    return {
      kafkaBrokers: kafka.split(",").map((s) => s.trim()),
      registryUrl: registry,
      redisUrl: redis,
      redisClusterNodes: (env["VIRALITY_REDIS_CLUSTER_NODES"] ?? "").split(",").filter((s) => s !== ""),
      source: "env",
    };
  }
  const local: ServiceAddresses = {
    kafkaBrokers: [LOCAL_DEFAULTS.kafka],
    registryUrl: LOCAL_DEFAULTS.registry,
    redisUrl: LOCAL_DEFAULTS.redis,
    redisClusterNodes: options.cluster ? [...LOCAL_DEFAULTS.cluster] : [],
    source: "local",
  };
  const answering = await Promise.all([
    portAnswers(LOCAL_DEFAULTS.kafka),
    portAnswers(hostPortOfUrl(LOCAL_DEFAULTS.registry)),
    portAnswers(hostPortOfUrl(LOCAL_DEFAULTS.redis)),
    options.cluster ? portAnswers(LOCAL_DEFAULTS.cluster[0]) : Promise.resolve(true),
  ]);
  if (answering.every(Boolean)) return local;
  try {
    await stackUp(options.cluster ? ["redis", "kafka", "registry", "cluster"] : ["redis", "kafka", "registry"], options.onLine);
    return local;
  } catch (localError) {
    if (!(await dockerAnswers())) throw localError;
    const { startContainers } = await import("./containers.js");
    return startContainers();
  }
}
