/**
 * Worker thread for the CART baseline (cart.ts, cartOffThread): fits one ml-cart tree on the rows it
 * is given and posts back its predictions of the test rows. ml-cart is single-threaded and the
 * slowest part of a training run (bench/README.md, train-phases), so the trainer runs it here while
 * the main thread fits and evaluates the stage's GBDT.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { trainTree } from "./cart-tree.js";

export interface CartJob {
  readonly x: number[][];
  readonly y: number[];
  readonly test: number[][];
  readonly maxDepth: number;
  readonly minNumSamples: number;
}

export type CartReply = { readonly ok: true; readonly predictions: Float64Array } | { readonly ok: false; readonly error: string };

function isRows(value: unknown): value is number[][] {
  return Array.isArray(value) && value.every((row) => Array.isArray(row) && row.every((v) => typeof v === "number"));
}

export function isCartJob(value: unknown): value is CartJob {
  if (typeof value !== "object" || value === null) return false;
  if (!("x" in value && "y" in value && "test" in value && "maxDepth" in value && "minNumSamples" in value)) return false;
  const { x, y, test, maxDepth, minNumSamples } = value;
  return isRows(x) && Array.isArray(y) && y.every((v) => typeof v === "number") && isRows(test) && typeof maxDepth === "number" && typeof minNumSamples === "number";
}

function run(job: CartJob): Float64Array {
  const tree = trainTree(job, job.maxDepth, job.minNumSamples);
  return job.test.length === 0 ? new Float64Array(0) : Float64Array.from(tree.predict(job.test));
}

if (!isMainThread && parentPort !== null) {
  let reply: CartReply;
  try {
    if (!isCartJob(workerData)) throw new Error("the CART worker got no valid job");
    reply = { ok: true, predictions: run(workerData) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort.postMessage(reply);
}
