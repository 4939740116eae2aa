/**
 * Worker thread for trainer/gbdt: runs split tasks (split-task.ts) on its feature range over the
 * shared memory, woken through Atomics on the control array. New histogram slots arrive on a
 * MessagePort and are pulled synchronously (receiveMessageOnPort) before each task.
 */
import type { MessagePort } from "node:worker_threads";
import { isMainThread, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { SharedBuffers } from "./split-task.js";
import { CTRL_DONE, CTRL_ERROR, CTRL_SEQ, runTask, SharedState, TASK_EXIT, ThreadScratch } from "./split-task.js";

export interface HistWorkerData {
  readonly buffers: SharedBuffers;
  readonly port: MessagePort;
  readonly thread: number;
  readonly f0: number;
  readonly f1: number;
}

/** Busy-wait iterations before sleeping on the futex: tasks arrive microseconds apart in a fit. */
const SPIN = 1 << 16;

function isSlotMessage(value: unknown): value is { index: number; buffer: SharedArrayBuffer } {
  return (
    typeof value === "object" &&
    value !== null &&
    "index" in value &&
    typeof value.index === "number" &&
    "buffer" in value &&
    value.buffer instanceof SharedArrayBuffer
  );
}

function pullSlots(state: SharedState, port: MessagePort, needed: number): void {
  while (state.slots.length < needed) {
    const received = receiveMessageOnPort(port);
    if (received === undefined) continue; // posted before the task was signalled: it is on its way
    if (isSlotMessage(received.message)) state.slots[received.message.index] = new Float64Array(received.message.buffer);
  }
}

function serve(data: HistWorkerData): void {
  const state = new SharedState(data.buffers);
  const scratch = new ThreadScratch(state.nSamples);
  const control = state.control;
  let seen = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(control, CTRL_SEQ) === seen) {
      if (++spins > SPIN) Atomics.wait(control, CTRL_SEQ, seen, 1000);
    }
    seen = Atomics.load(control, CTRL_SEQ);
    if (state.taskKind() === TASK_EXIT) break;
    try {
      pullSlots(state, data.port, state.slotsNeeded());
      runTask(state, scratch, data.thread, data.f0, data.f1);
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
  return typeof value === "object" && value !== null && "buffers" in value && "port" in value && "f0" in value;
}

if (!isMainThread && isWorkerData(workerData)) serve(workerData);
