/**
 * A Kafka broker and a Redis of a test's own, started by deploy/local/stack.sh (the same script and
 * settings as the shared stack) on free ports with their own state folder, so a fault test can stop,
 * restart and wipe them without disturbing any other test. The schema registry stays the shared one.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "../../src/ops/free-port.js";

const run = promisify(execFile);
const STACK = fileURLToPath(new URL("../../../deploy/local/stack.sh", import.meta.url));
const HOST = "127.0.0.1";

export interface PrivateStackOptions {
  /** Give the broker a second listener whose clients are sent to this port (a proxy in front of `proxiedPort`). */
  readonly kafkaProxiedAdvertisedPort?: number;
}

export class PrivateStack {
  readonly state = mkdtempSync(path.join(tmpdir(), "virality-faults-"));
  readonly log: string[] = [];

  private constructor(
    readonly kafkaPort: number,
    readonly kafkaControllerPort: number,
    readonly redisPort: number,
    /** The broker's second listener (see `kafkaProxiedAdvertisedPort`), or null. */
    readonly kafkaProxiedPort: number | null,
    readonly kafkaProxiedAdvertisedPort: number | null,
  ) {}

  #destroyed = false;

  /** Picks free ports; starts nothing yet. A test process that exits without destroy() still stops them. */
  static async create(options: PrivateStackOptions = {}): Promise<PrivateStack> {
    const proxied = options.kafkaProxiedAdvertisedPort === undefined ? null : await freePort();
    const stack = new PrivateStack(await freePort(), await freePort(), await freePort(), proxied, options.kafkaProxiedAdvertisedPort ?? null);
    process.once("exit", () => {
      if (!stack.#destroyed) spawnSync("bash", [STACK, "down", "--wipe", "kafka", "redis"], { env: stack.#env(), stdio: "ignore" });
      rmSync(stack.state, { recursive: true, force: true });
    });
    return stack;
  }

  get kafkaBrokers(): string[] {
    return [`${HOST}:${this.kafkaPort}`];
  }

  get redisUrl(): string {
    return `redis://${HOST}:${this.redisPort}`;
  }

  #env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VIRALITY_STATE: this.state,
      VIRALITY_KAFKA_PORT: String(this.kafkaPort),
      VIRALITY_KAFKA_CONTROLLER_PORT: String(this.kafkaControllerPort),
      VIRALITY_REDIS_PORT: String(this.redisPort),
      VIRALITY_KAFKA_HEAP: "-Xms128m -Xmx512m",
    };
    if (this.kafkaProxiedPort !== null) {
      env["VIRALITY_KAFKA_PROXIED_PORT"] = String(this.kafkaProxiedPort);
      env["VIRALITY_KAFKA_PROXIED_ADVERTISED_PORT"] = String(this.kafkaProxiedAdvertisedPort);
    }
    return env;
  }

  async #stack(...args: string[]): Promise<void> {
    try {
      const { stderr } = await run("bash", [STACK, ...args], { env: this.#env(), timeout: 240_000 });
      this.log.push(...stderr.trim().split("\n"));
    } catch (error) {
      const detail = error instanceof Error && "stderr" in error ? String(error.stderr) : String(error);
      throw new Error(`stack.sh ${args.join(" ")} (state ${this.state}) failed:\n${detail}`);
    }
  }

  up(...services: Array<"kafka" | "redis">): Promise<void> {
    return this.#stack("up", ...services);
  }

  /** Stops a service gracefully (SIGTERM; Redis flushes its append-only file, Kafka its logs); data is kept. */
  down(...services: Array<"kafka" | "redis">): Promise<void> {
    return this.#stack("down", ...services);
  }

  /** Stops a service and deletes its data. */
  wipe(...services: Array<"kafka" | "redis">): Promise<void> {
    return this.#stack("down", "--wipe", ...services);
  }

  async destroy(): Promise<void> {
    await this.#stack("down", "--wipe", "kafka", "redis").catch(() => undefined);
    this.#destroyed = true;
    rmSync(this.state, { recursive: true, force: true });
  }
}
