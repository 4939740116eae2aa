/**
 * One thread's histogram building in WebAssembly (histogram.wat): the same additions in the same
 * order as histogram.ts' accumulateIndexed and accumulateAllGradients, so the histograms are
 * bit-identical, in about 4/7 of the time (no typed-array checks: bench/README.md, gbdt-vs-sklearn).
 *
 * The kernels read only their own memory, so each thread keeps there a copy of the training rows'
 * bins (made once per fit, after binning), the rows and gradients of the node at hand (copied per
 * task: a node's row count, against its rows × features of additions), and its histogram slots,
 * which the split scans read in place. The memory is shared, although no other thread uses it: a
 * shared memory grows without detaching its old buffer (growing an unshared one would switch V8 to
 * checking every typed-array access of the process, see src/model/tree-walk.ts), and the slots grow
 * with the tree. Zeroing is memory.fill: TypedArray fill on a SharedArrayBuffer ran at a sixth of the
 * speed.
 */
import { Buffer } from "node:buffer";
import { HISTOGRAM_WASM } from "./generated/histogram-wasm.js";

const PAGE_BYTES = 65_536;
/** 4 GiB of address space, reserved, not committed: the slots grow into it. */
const MAX_PAGES = 65_536;

type Zero = (at: number, bytes: number) => void;
type AccIndexed = (bins: number, n: number, f0: number, f1: number, rows: number, count: number, ordered: number, hist: number, stride: number) => void;
type AccAll = (bins: number, n: number, f0: number, f1: number, gradients: number, hist: number, stride: number) => void;

function exported<T>(exports: Record<string, unknown>, name: string, is: (value: unknown) => value is T): T {
  const value = exports[name];
  if (!is(value)) throw new Error(`the histogram kernels' WebAssembly module lacks its ${name} export`);
  return value;
}

const isZero = (value: unknown): value is Zero => typeof value === "function" && value.length === 2;
const isAccIndexed = (value: unknown): value is AccIndexed => typeof value === "function" && value.length === 9;
const isAccAll = (value: unknown): value is AccAll => typeof value === "function" && value.length === 7;

let compiled: WebAssembly.Module | null = null;

function align(bytes: number, to: number): number {
  return Math.ceil(bytes / to) * to;
}

export class HistogramKernels {
  /** The training rows' bins, column-major (a copy of the shared bins: see copyBins). */
  readonly bins: Uint8Array;
  /** The current node's rows (partition order). */
  readonly rows: Uint32Array;
  /** The current node's gradients, in the order of `rows`. */
  readonly ordered: Float32Array;
  /** Every training row's gradient (the root task). */
  readonly gradients: Float32Array;
  readonly #memory: WebAssembly.Memory;
  readonly #zero: Zero;
  readonly #accIndexed: AccIndexed;
  readonly #accAll: AccAll;
  readonly #nSamples: number;
  /** Bytes per feature in a slot (stride float64s). */
  readonly #featureBytes: number;
  readonly #slotBytes: number;
  #nextSlot: number;
  #binsCopied = false;

  constructor(nSamples: number, nFeatures: number, stride: number) {
    this.#nSamples = nSamples;
    this.#featureBytes = stride * Float64Array.BYTES_PER_ELEMENT;
    this.#slotBytes = nFeatures * this.#featureBytes;
    const bins = 0;
    const rows = align(bins + nSamples * nFeatures, 16);
    const ordered = rows + 4 * nSamples;
    const gradients = ordered + 4 * nSamples;
    this.#nextSlot = align(gradients + 4 * nSamples, 16);
    // room for a few slots from the start; more are grown on demand (see newSlot)
    const pages = Math.ceil((this.#nextSlot + 4 * this.#slotBytes) / PAGE_BYTES);
    if (pages > MAX_PAGES) throw new RangeError(`the histogram kernels need ${pages} pages of 64 KiB, more than ${MAX_PAGES}`);
    this.#memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    compiled ??= new WebAssembly.Module(Buffer.from(HISTOGRAM_WASM, "base64"));
    const { exports } = new WebAssembly.Instance(compiled, { hist: { memory: this.#memory } });
    this.#zero = exported(exports, "zero", isZero);
    this.#accIndexed = exported(exports, "accIndexed", isAccIndexed);
    this.#accAll = exported(exports, "accAll", isAccAll);
    const buffer = this.#memory.buffer;
    this.bins = new Uint8Array(buffer, bins, nSamples * nFeatures);
    this.rows = new Uint32Array(buffer, rows, nSamples);
    this.ordered = new Float32Array(buffer, ordered, nSamples);
    this.gradients = new Float32Array(buffer, gradients, nSamples);
  }

  /** A new histogram slot in this memory: its byte offset and a view of it for the scans. */
  newSlot(): { readonly offset: number; readonly hist: Float64Array } {
    const offset = this.#nextSlot;
    const end = offset + this.#slotBytes;
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / PAGE_BYTES));
    this.#nextSlot = end;
    return { offset, hist: new Float64Array(this.#memory.buffer, offset, this.#slotBytes / Float64Array.BYTES_PER_ELEMENT) };
  }

  /** Copies the shared bins in, once per fit: call before the first task (binning is done by then). */
  copyBins(shared: Uint8Array): void {
    if (this.#binsCopied) return;
    this.bins.set(shared);
    this.#binsCopied = true;
  }

  /** Zeroes features [f0, f1) of the slot at `slot`. */
  clear(slot: number, f0: number, f1: number): void {
    this.#zero(slot + f0 * this.#featureBytes, (f1 - f0) * this.#featureBytes);
  }

  /** Adds rows[0 .. count) (gradients in `ordered`) to features [f0, f1) of the slot at `slot`. */
  accumulateIndexed(slot: number, f0: number, f1: number, count: number): void {
    this.#accIndexed(this.bins.byteOffset, this.#nSamples, f0, f1, this.rows.byteOffset, count, this.ordered.byteOffset, slot, this.#featureBytes);
  }

  /** Adds every row's gradient in `gradients` (not the counts) to features [f0, f1) of the slot at `slot`. */
  accumulateAllGradients(slot: number, f0: number, f1: number): void {
    this.#accAll(this.bins.byteOffset, this.#nSamples, f0, f1, this.gradients.byteOffset, slot, this.#featureBytes);
  }
}
