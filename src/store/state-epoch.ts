/**
 * The store's epoch: `<prefix>:epoch` holds a random id written once, when a scorer first finds the
 * key space without one. Redis restarted empty (no persistence, a wiped volume, a failover to an empty
 * replica) loses it with everything else, and a scorer that compares the id it knows with the one in
 * Redis notices the loss even though its own writes since then went through: it then rebuilds the store
 * by replaying the input topics (see Scorer).
 */
import { randomBytes } from "node:crypto";
import type { RedisClient } from "./redis.js";

export interface Epoch {
  readonly id: string;
  /** This call wrote the id (no epoch existed): a fresh key space, or one that lost its data. */
  readonly created: boolean;
}

export class StateEpoch {
  readonly #redis: RedisClient;
  readonly key: string;

  constructor(redis: RedisClient, keyPrefix: string) {
    this.#redis = redis;
    this.key = `${keyPrefix}:epoch`;
  }

  /** The current id, or null when the key space has none (never written, or lost). */
  current(): Promise<string | null> {
    return this.#redis.get(this.key);
  }

  /** The current id, writing a new one if there is none (SET NX: concurrent scorers agree on one). */
  async ensure(): Promise<Epoch> {
    const id = `${new Date().toISOString()}-${randomBytes(6).toString("hex")}`;
    const written = await this.#redis.set(this.key, id, "NX");
    if (written === "OK") return { id, created: true };
    const existing = await this.current();
    // deleted between the two commands (another loss): try again
    return existing === null ? this.ensure() : { id: existing, created: false };
  }
}
