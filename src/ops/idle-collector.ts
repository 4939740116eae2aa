/**
 * Gives a burst's memory back once the process goes quiet. A catch-up (thousands of events a batch)
 * grows V8's old generation to several times what the scorer keeps (bench/README.md, scorer-load:
 * 285 → 544 MB RSS over a soak, 300 MB of heap still held after 15 s idle): V8 collects when the old
 * generation reaches a limit it raises with the allocation rate, and its own idle-time reducer did
 * not run in that case. So once no work has been in flight for `idleMs`, a full collection runs, and
 * a second pass after one more quiet period (below); only when the heap has grown by `minGrowthBytes`
 * since the last collection (an idle scorer does not collect again and again).
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Logger } from "../logger.js";

/** A full, synchronous garbage collection of this process' heap. */
export type FullCollection = () => void;

function isCollection(value: unknown): value is FullCollection {
  return typeof value === "function";
}

/**
 * V8's full collection for this process: the global `gc` when Node was started with --expose-gc,
 * otherwise the one a new context gets after --expose-gc is set at run time (it collects the whole
 * isolate, not just that context).
 */
export function fullCollection(): FullCollection {
  // The collector's second pass lets V8 shrink its young generation (1 MB instead of 32), which V8 grows
  // back by doublings as survivors pile up; growing sixteenfold, its first growth reaches the maximum.
  // V8 reads this flag each time it grows the young generation (bench/README.md, scorer-load, session 12).
  setFlagsFromString("--semi-space-growth-factor=16");
  const started: unknown = globalThis.gc;
  if (isCollection(started)) return started;
  setFlagsFromString("--expose-gc");
  const exposed: unknown = runInNewContext("gc");
  if (!isCollection(exposed)) throw new Error("V8 did not expose gc() after --expose-gc was set");
  return exposed;
}

export interface IdleCollectorOptions {
  /** Quiet time after the last work before collecting, in ms; 0 turns the collector off. */
  readonly idleMs: number;
  /** Collect only when the used heap has grown by this much since the last collection. */
  readonly minGrowthBytes?: number;
  readonly collect?: FullCollection;
  /** The used heap in bytes (live objects and garbage not yet collected). */
  readonly usedHeapBytes?: () => number;
  readonly logger?: Logger;
}

const MiB = 1024 * 1024;

export class IdleCollector {
  readonly #idleMs: number;
  readonly #minGrowthBytes: number;
  readonly #collect: FullCollection | null;
  readonly #usedHeapBytes: () => number;
  readonly #logger: Logger | null;
  #timer: NodeJS.Timeout | null = null;
  /** Work started and not yet ended. */
  #inFlight = 0;
  /** The used heap right after the last collection (or at start). */
  #baseline: number;
  #collections = 0;
  /** The first pass ran; the second runs after one more quiet period unless work comes first. */
  #settling = false;

  constructor(options: IdleCollectorOptions) {
    this.#idleMs = options.idleMs;
    this.#minGrowthBytes = options.minGrowthBytes ?? 16 * MiB;
    this.#collect = options.idleMs > 0 ? (options.collect ?? fullCollection()) : null;
    this.#usedHeapBytes = options.usedHeapBytes ?? ((): number => getHeapStatistics().used_heap_size);
    this.#logger = options.logger ?? null;
    this.#baseline = this.#usedHeapBytes();
  }

  /** How many collections have run. */
  get collections(): number {
    return this.#collections;
  }

  /** Work starts: nothing is collected until all work has ended and the quiet time has passed. */
  begin(): void {
    this.#inFlight++;
    // the next quiet period collects afresh (if the heap grew); a pass left over from the last one is dropped
    this.#settling = false;
  }

  /** Work ended: when no other work is in flight, the quiet-time countdown (re)starts. */
  end(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#collect === null || this.#inFlight > 0) return;
    this.#countDown();
  }

  #countDown(): void {
    if (this.#timer === null) {
      this.#timer = setTimeout(() => this.#quiet(), this.#idleMs);
      // a pending collection never keeps the process alive
      this.#timer.unref();
    } else {
      this.#timer.refresh();
    }
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #quiet(): void {
    this.#timer = null;
    // work that began after the countdown started restarts it when it ends
    if (this.#collect === null || this.#inFlight > 0) return;
    const before = this.#usedHeapBytes();
    const started = performance.now();
    if (this.#settling) {
      // The second pass, one quiet period after the first. It moves the survivors out of the pages the
      // first left sparse, so those go back to the OS (in the scorer after a soak: old space 216 MB,
      // 94 MB after one pass, 50 MB after two). And V8 shrinks its young generation (32 MB after a
      // burst) only in a collection that finds its recent allocation rate low, sampled at collections:
      // a pass right after the first still sees the burst's rate, one a quiet period later does not.
      this.#settling = false;
      this.#collect();
      this.#baseline = this.#usedHeapBytes();
      this.#log("idle: second pass", before, started);
      return;
    }
    if (before - this.#baseline < this.#minGrowthBytes) return;
    this.#collect();
    this.#baseline = this.#usedHeapBytes();
    this.#collections++;
    this.#settling = true;
    this.#countDown();
    this.#log("idle: collected the garbage of the last burst", before, started);
  }

  #log(msg: string, before: number, started: number): void {
    this.#logger?.info(
      { heapUsedBeforeMb: Math.round(before / MiB), heapUsedAfterMb: Math.round(this.#baseline / MiB), ms: Math.round(performance.now() - started) },
      msg,
    );
  }
}
