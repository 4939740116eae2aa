/**
 * Published model bundles in Redis: `<prefix>:model:<version>` holds a bundle, `<prefix>:models` (a
 * sorted set by publish time) lists them, `<prefix>:model:current` names the one scorers use, and a
 * message on `<prefix>:model:changed` tells running scorers to switch (they also poll, in case a
 * notification is missed).
 */
import { ViralityError } from "../errors.js";
import type { Logger } from "../logger.js";
import { parseBundle, serializeBundle, type ModelBundle } from "../model/bundle.js";
import { Predictor } from "../model/predictor.js";
import type { RedisClient } from "./redis.js";

export interface PublishedModel {
  readonly version: string;
  readonly publishedAt: number;
  readonly current: boolean;
}

export class ModelRegistry {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
  }

  get channel(): string {
    return `${this.#prefix}:model:changed`;
  }

  #key(version: string): string {
    return `${this.#prefix}:model:${version}`;
  }

  get #currentKey(): string {
    return `${this.#prefix}:model:current`;
  }

  get #listKey(): string {
    return `${this.#prefix}:models`;
  }

  /** Stores the bundle under its version, makes it current and notifies scorers. */
  async publish(bundle: ModelBundle): Promise<void> {
    await this.#redis.set(this.#key(bundle.version), serializeBundle(bundle));
    await this.#redis.zadd(this.#listKey, "NX", Date.now(), bundle.version);
    await this.setCurrent(bundle.version);
  }

  async setCurrent(version: string): Promise<void> {
    if ((await this.#redis.exists(this.#key(version))) === 0) {
      throw new ViralityError("VIR_MODEL_NOT_FOUND", `no model bundle is published under version ${version}`, { details: { version } });
    }
    await this.#redis.set(this.#currentKey, version);
    await this.#redis.publish(this.channel, version);
  }

  async currentVersion(): Promise<string | null> {
    return this.#redis.get(this.#currentKey);
  }

  async load(version: string): Promise<ModelBundle> {
    const text = await this.#redis.get(this.#key(version));
    if (text === null) {
      throw new ViralityError("VIR_MODEL_NOT_FOUND", `no model bundle is published under version ${version}`, { details: { version } });
    }
    return parseBundle(text, `redis ${this.#key(version)}`);
  }

  async list(): Promise<PublishedModel[]> {
    const flat = await this.#redis.zrange(this.#listKey, 0, -1, "WITHSCORES");
    const current = await this.currentVersion();
    const out: PublishedModel[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const version = flat[i] ?? "";
      out.push({ version, publishedAt: Number(flat[i + 1]), current: version === current });
    }
    return out;
  }

  /** Makes the model published before the current one current again; returns its version. */
  async rollback(): Promise<string> {
    const models = await this.list();
    const at = models.findIndex((m) => m.current);
    const previous = at > 0 ? models[at - 1] : undefined;
    if (previous === undefined) {
      throw new ViralityError("VIR_MODEL_NOT_FOUND", "there is no model published before the current one to roll back to");
    }
    await this.setCurrent(previous.version);
    return previous.version;
  }

  /** Deletes every key of this registry (tests). */
  async clear(): Promise<void> {
    const models = await this.list();
    for (const m of models) await this.#redis.del(this.#key(m.version));
    await this.#redis.del(this.#listKey, this.#currentKey);
  }
}

/**
 * Keeps the current model of a registry loaded: switches on a notification, and polls as a fallback.
 */
export class ModelWatcher {
  readonly #registry: ModelRegistry;
  readonly #subscriber: RedisClient;
  readonly #logger: Logger;
  readonly #pollMs: number;
  #predictor: Predictor | null = null;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | null = null;
  /** A version that failed to load: not retried (nor logged again) until `current` changes. */
  #failed: string | null = null;
  readonly #listeners: Array<(predictor: Predictor) => void> = [];

  constructor(registry: ModelRegistry, subscriber: RedisClient, logger: Logger, pollMs: number) {
    this.#registry = registry;
    this.#subscriber = subscriber;
    this.#logger = logger;
    this.#pollMs = pollMs;
  }

  get predictor(): Predictor | null {
    return this.#predictor;
  }

  onChange(listener: (predictor: Predictor) => void): void {
    this.#listeners.push(listener);
  }

  async start(): Promise<void> {
    // a dropped connection reconnects and resubscribes by itself; polling covers the gap
    this.#subscriber.on("error", (error: Error) => this.#logger.warn({ err: error.message }, "model notification connection error"));
    await this.#subscriber.subscribe(this.#registry.channel);
    this.#subscriber.on("message", (channel: string) => {
      if (channel === this.#registry.channel) void this.check();
    });
    await this.check();
    this.#timer = setInterval(() => void this.check(), this.#pollMs);
    this.#timer.unref();
  }

  /** Loads the current model when it differs from the one in use. */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  async #check(): Promise<void> {
    try {
      const version = await this.#registry.currentVersion();
      if (version === null || version === this.#predictor?.version || version === this.#failed) return;
      this.#failed = version;
      const bundle = await this.#registry.load(version);
      this.#failed = null;
      const previous = this.#predictor?.version ?? null;
      this.#predictor = new Predictor(bundle);
      this.#logger.info({ model_version: version, previous }, "model switched");
      for (const listener of this.#listeners) listener(this.#predictor);
    } catch (error) {
      this.#logger.error({ err: error }, "could not load the current model; keeping the one in use");
    }
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#subscriber.unsubscribe(this.#registry.channel).catch(() => undefined);
    this.#subscriber.disconnect();
  }
}
