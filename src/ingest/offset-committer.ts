/**
 * Commits the consumer's offsets off the batch path. kafkajs with `autoCommit` commits after every
 * batch, and the batch's partition waits for that round trip (which queues behind the fetch in flight
 * on the coordinator's connection) before it is fetched again: with three partitions that is three
 * OffsetCommit requests per fetch cycle, and at a steady arrival rate the commit, not the scoring, was
 * most of the event-to-score latency (bench/README.md, scorer-load).
 *
 * Here a batch hands over the offset after its last message once its outputs are acknowledged
 * (at-least-once is unchanged: nothing unacknowledged is ever committed), and the committer sends what
 * it holds at most every `intervalMs`, one request at a time. A crash re-reads at most that much more,
 * and outputs are idempotent.
 */
import type { Logger } from "../logger.js";
import { describe } from "../errors.js";

/** The offset to resume a partition from: one past the last message whose outputs were acknowledged. */
export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type CommitOffsets = (offsets: PartitionOffset[]) => Promise<void>;

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class OffsetCommitter {
  readonly #commit: CommitOffsets;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  /** Offsets handed over and not yet committed, by topic and partition. */
  readonly #pending = new Map<string, PartitionOffset>();
  /** Commits run one after another, each sending what is pending when it starts: never out of order. */
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #timerCommitRunning = false;
  /** The first commit is due an interval after the start, as every later one after the one before. */
  #lastCommitAt = Date.now();
  /** Timer commits that failed in a row (logged once, not every interval). */
  #failures = 0;
  #closed = false;

  constructor(commit: CommitOffsets, intervalMs: number, logger: Logger) {
    this.#commit = commit;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
  }

  /** Offsets handed over and not committed yet (what a crash now would re-read). */
  get pending(): readonly PartitionOffset[] {
    return [...this.#pending.values()];
  }

  /** Hands over a partition's resume offset; it is committed within about `intervalMs`. */
  add(offset: PartitionOffset): void {
    if (this.#closed) return;
    const key = keyOf(offset.topic, offset.partition);
    const held = this.#pending.get(key);
    if (held === undefined || BigInt(held.offset) < BigInt(offset.offset)) this.#pending.set(key, offset);
    this.#schedule();
  }

  /** Forgets pending offsets of partitions this member no longer holds (after a rebalance). */
  retainOnly(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const [key, { topic, partition }] of this.#pending) {
      if (!(assignment[topic] ?? []).includes(partition)) this.#pending.delete(key);
    }
  }

  /**
   * Replaces the pending offsets of these partitions (a rewind: offsets may go back) and commits
   * everything now, so that a crash during the replay resumes the replay.
   */
  rewind(offsets: readonly PartitionOffset[]): Promise<void> {
    for (const offset of offsets) this.#pending.set(keyOf(offset.topic, offset.partition), offset);
    return this.flush();
  }

  /**
   * Commits everything handed over so far, after any commit in flight; throws if it fails (the offsets
   * stay pending). `commit` replaces the usual way of committing for this once (a stopping consumer).
   */
  flush(commit: CommitOffsets = this.#commit): Promise<void> {
    const run = this.#queue.then(() => this.#send(commit));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer; offsets handed over later are ignored (commit them with `flush` before). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer !== null || this.#timerCommitRunning || this.#closed || this.#pending.size === 0) return;
    const wait = Math.max(0, this.#lastCommitAt + this.#intervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerCommitRunning = true;
      this.flush()
        .then(
          () => {
            if (this.#failures > 0) this.#logger.info({ failures: this.#failures }, "committing offsets again");
            this.#failures = 0;
          },
          (error: unknown) => {
            // a rebalance or a broker restart: kept, and tried again (or dropped if the partition moves)
            if (this.#failures++ === 0) this.#logger.warn({ err: describe(error) }, "could not commit offsets; trying again every interval");
          },
        )
        .finally(() => {
          this.#timerCommitRunning = false;
          this.#schedule();
        });
    }, wait);
    this.#timer.unref();
  }

  async #send(commit: CommitOffsets): Promise<void> {
    const offsets = [...this.#pending.values()];
    if (offsets.length === 0) return;
    this.#pending.clear();
    try {
      await commit(offsets);
    } catch (error) {
      this.#putBack(offsets);
      throw error;
    } finally {
      this.#lastCommitAt = Date.now();
    }
  }

  /** Returns offsets whose commit failed, unless a newer one was handed over meanwhile. */
  #putBack(offsets: readonly PartitionOffset[]): void {
    for (const offset of offsets) {
      const key = keyOf(offset.topic, offset.partition);
      if (!this.#pending.has(key)) this.#pending.set(key, offset);
    }
  }
}
