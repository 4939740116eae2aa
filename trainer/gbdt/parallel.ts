/**
 * Runs split tasks over the features, on this thread alone or on this thread plus one worker (the
 * features are divided by scan cost; the worker loads the compiled hist-worker.js next to this
 * module), and the binning job on both. Also hands out the histogram slots (see split-task.ts: each
 * thread keeps its own copy of every slot, for its own features).
 *
 * Synchronisation is a sequence number and a done counter in shared memory (Atomics), spinning
 * briefly before sleeping: a fit dispatches ~30 tasks per tree, each a fraction of a millisecond.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import type { NodeStats, SplitConstraints } from "./splitter.js";
import { SplitRecord } from "./splitter.js";
import type { ChildrenTask } from "./split-task.js";
import { CTRL_DONE, CTRL_ERROR, CTRL_SEQ, runTask, SharedState, ThreadScratch } from "./split-task.js";
import type { BinningJob } from "./binning.js";
import { binClaimedColumns } from "./binning.js";
import type { HistWorkerData, HistWorkerMessage } from "./hist-worker.js";

/**
 * Below this many bin cells (rows × features) one thread is faster: a worker costs tens of
 * milliseconds to start and microseconds per task to synchronise. Split finding costs
 * features × bins per node whatever the row count, so even 222 × 532 gains from the worker.
 */
export const PARALLEL_MIN_CELLS = 100_000;
const SPIN = 1 << 17;
/**
 * Waiting this long for the worker's part of one task means it died; fail instead of hanging. (The
 * longest legitimate wait is one binning column or one node's histograms on half the features.)
 */
const WATCHDOG_MS = 120_000;

/** The first worker feature: halves the summed cost, in whole blocks of 8 features. */
function balancedSplit(state: SharedState): number {
  const n = state.nFeatures;
  const cost = (f: number): number => 1 + state.hasMissing[f];
  let total = 0;
  for (let f = 0; f < n; f++) total += cost(f);
  let acc = 0;
  let split = 0;
  while (split + 8 <= n && acc + blockCost(split) / 2 <= total / 2) {
    acc += blockCost(split);
    split += 8;
  }
  return Math.max(Math.min(split, n), Math.min(8, n));

  function blockCost(f0: number): number {
    let c = 0;
    for (let f = f0; f < Math.min(f0 + 8, n); f++) c += cost(f);
    return c;
  }
}

export function chooseThreads(requested: "auto" | 1 | 2, nSamples: number, nFeatures: number): 1 | 2 {
  if (requested !== "auto") return requested;
  return availableParallelism() >= 2 && nSamples * nFeatures >= PARALLEL_MIN_CELLS && nFeatures >= 16 ? 2 : 1;
}

interface WorkerLink {
  readonly worker: Worker;
  /** Settles when the worker thread has exited. */
  readonly exited: Promise<void>;
  readonly lifecycle: { closing: boolean };
  readonly port: MessagePort;
}

export class SplitExecutor {
  private readonly scratch: ThreadScratch;
  private readonly freeSlots: number[] = [];
  private readonly merged = [new SplitRecord(), new SplitRecord()];
  private readonly other = new SplitRecord();
  private closed = false;

  private constructor(
    readonly state: SharedState,
    private readonly link: WorkerLink | null,
    /** Settles when the worker runs (rejects if it cannot start). */
    readonly ready: Promise<void>,
  ) {
    this.scratch = new ThreadScratch();
  }

  get threads(): number {
    return this.link === null ? 1 : 2;
  }

  /**
   * Creates the shared state and, with two threads, starts the worker without waiting for it: the
   * caller bins columns meanwhile (see bin()), and `ready` settles once the worker is up.
   */
  static launch(
    threads: 1 | 2,
    nSamples: number,
    nFeatures: number,
    nBins: number,
    maxSlots: number,
    constraints: SplitConstraints,
  ): SplitExecutor {
    const state = SharedState.create(threads === 2, nSamples, nFeatures, nBins, maxSlots, constraints);
    if (threads === 1) return new SplitExecutor(state, null, Promise.resolve());
    state.featureSplit = balancedSplit(state);
    const channel = new MessageChannel();
    const data: HistWorkerData = { buffers: state.buffers, port: channel.port2, thread: 1 };
    const worker = new Worker(new URL("./hist-worker.js", import.meta.url), {
      workerData: data,
      transferList: [channel.port2],
    });
    const lifecycle = { closing: false };
    const ready = new Promise<void>((resolve, reject) => {
      worker.once("online", () => {
        // From here on the worker is only ever waited on synchronously, unless close() has begun
        // (which needs the event loop alive until the worker exits).
        if (!lifecycle.closing) worker.unref();
        resolve();
      });
      worker.once("error", reject);
    });
    // A failure to start surfaces where `ready` is awaited (bin()), not as an unhandled rejection.
    ready.catch(() => undefined);
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    return new SplitExecutor(state, { worker, exited, lifecycle, port: channel.port1 }, ready);
  }

  /**
   * Bins the training rows: this thread claims columns at once, the worker joins as soon as it has
   * started; returns when every column is done.
   */
  async bin(job: BinningJob): Promise<void> {
    const link = this.link;
    if (link === null || !job.shared) {
      binClaimedColumns(job);
      return;
    }
    const message: HistWorkerMessage = { kind: "bin", job };
    link.port.postMessage(message);
    this.state.setBinTask();
    const seq = this.signal();
    binClaimedColumns(job);
    await this.ready;
    this.waitDone(seq, link);
  }

  /**
   * Divides the features between the threads by expected scan cost, once the per-feature facts are
   * in the shared state (after binning): a feature with missing values is scanned twice.
   */
  rebalance(): void {
    if (this.link !== null) this.state.featureSplit = balancedSplit(this.state);
  }

  /**
   * A free histogram slot, created when none is free (the worker creates its own copy of a new slot
   * when a task first needs it).
   */
  allocSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    this.state.addSlot();
    return this.state.slots.length - 1;
  }

  freeSlot(slot: number): void {
    if (slot >= 0) this.freeSlots.push(slot);
  }

  /** Builds the root's histograms in `slot` and returns its best split (scratch: copy to keep). */
  runRoot(slot: number, node: NodeStats, withCounts: boolean): SplitRecord {
    this.state.setRootTask(slot, node, withCounts);
    this.dispatch();
    return this.merge(0);
  }

  /** Builds both children's histograms and returns [best split of small, best split of large]. */
  runChildren(task: ChildrenTask): readonly [SplitRecord, SplitRecord] {
    this.state.setChildrenTask(task);
    this.dispatch();
    return [this.merge(0), this.merge(1)];
  }

  private merge(which: number): SplitRecord {
    const out = this.merged[which];
    this.state.readResult(0, which, out);
    if (this.link !== null) {
      this.state.readResult(1, which, this.other);
      // The worker holds the higher features: it wins only with a strictly larger gain.
      if (this.other.gain > out.gain) out.copyFrom(this.other);
    }
    return out;
  }

  private dispatch(): void {
    const { state, link } = this;
    if (link === null) {
      runTask(state, this.scratch, 0, 0, state.nFeatures);
      return;
    }
    const seq = this.signal();
    runTask(state, this.scratch, 0, 0, state.featureSplit);
    this.waitDone(seq, link);
  }

  /** Publishes the task in params to the worker; returns its sequence number. */
  private signal(): number {
    const control = this.state.control;
    const seq = Atomics.add(control, CTRL_SEQ, 1) + 1;
    Atomics.notify(control, CTRL_SEQ);
    return seq;
  }

  private waitDone(seq: number, link: WorkerLink): void {
    const control = this.state.control;
    let spins = 0;
    let started = 0;
    while (Atomics.load(control, CTRL_DONE) !== seq) {
      if (++spins > SPIN) {
        started ||= Date.now();
        Atomics.wait(control, CTRL_DONE, Atomics.load(control, CTRL_DONE), 50);
        if (Date.now() - started > WATCHDOG_MS) throw new Error("gbdt worker did not answer (watchdog)");
      }
    }
    if (Atomics.load(control, CTRL_ERROR) !== 0) {
      const report = receiveMessageOnPort(link.port);
      throw new Error(`gbdt worker failed: ${JSON.stringify(report?.message ?? "unknown error")}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const link = this.link;
    if (link === null) return;
    // Keep the event loop alive until the worker is gone (it is unref'ed while idle).
    link.lifecycle.closing = true;
    link.worker.ref();
    this.state.setExitTask();
    this.signal();
    link.port.close();
    await link.exited;
  }
}
