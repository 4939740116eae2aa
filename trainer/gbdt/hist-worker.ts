/**
 * Worker thread for trainer/gbdt: runs split tasks (split-task.ts) on its feature range over the
 * shared memory, woken through Atomics on the control array, and helps with binning. Binning jobs
 * arrive on a MessagePort and are pulled synchronously (receiveMessageOnPort) before a binning task;
 * the worker creates its own copy of each histogram slot when a task first names it.
 */
import type { MessagePort } from "node:worker_threads";
import { isMainThread, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { BinningJob } from "./binning.js";
import { binClaimedColumns } from "./binning.js";
import type { SharedBuffers } from "./split-task.js";
import {
  CTRL_DONE,
  CTRL_ERROR,
  CTRL_SEQ,
  runTask,
  SharedState,
  TASK_BIN,
  TASK_EXIT,
  ThreadScratch,
} from "./split-task.js";

export interface HistWorkerData {
  readonly buffers: SharedBuffers;
  readonly port: MessagePort;
  readonly thread: number;
}

/**
 * Busy-wait iterations (~0.3 ms) before sleeping on the futex: tasks arrive tens of microseconds
 * apart, and a futex wake-up measured ~80 µs per task on a 2-vCPU VM.
 */
const SPIN = 1 << 17;

/** Messages on the port: a binning job. */
export type HistWorkerMessage = { readonly kind: "bin"; readonly job: BinningJob };

function isMessage(value: unknown): value is HistWorkerMessage {
  return typeof value === "object" && value !== null && "kind" in value && value.kind === "bin";
}

/** The port's messages, read synchronously. */
class Inbox {
  constructor(private readonly port: MessagePort) {}

  /** The binning job, posted before its task was signalled: waits until it has arrived. */
  takeJob(): BinningJob {
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined && isMessage(received.message)) return received.message.job;
    }
  }
}

function serve(data: HistWorkerData): void {
  const state = new SharedState(data.buffers);
  const scratch = new ThreadScratch();
  const control = state.control;
  const inbox = new Inbox(data.port);
  let seen = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(control, CTRL_SEQ) === seen) {
      if (++spins > SPIN) Atomics.wait(control, CTRL_SEQ, seen, 1000);
    }
    seen = Atomics.load(control, CTRL_SEQ);
    const kind = state.taskKind();
    if (kind === TASK_EXIT) break;
    try {
      if (kind === TASK_BIN) {
        binClaimedColumns(inbox.takeJob());
      } else {
        state.ensureSlots();
        const { f0, f1 } = state.workerFeatures();
        runTask(state, scratch, data.thread, f0, f1);
      }
    } catch (error) {
      Atomics.store(control, CTRL_ERROR, 1);
      data.port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
    Atomics.store(control, CTRL_DONE, seen);
    Atomics.notify(control, CTRL_DONE);
  }
  data.port.close();
}

function isWorkerData(value: unknown): value is HistWorkerData {
  return typeof value === "object" && value !== null && "buffers" in value && "port" in value && "thread" in value;
}

if (!isMainThread && isWorkerData(workerData)) serve(workerData);
