/**
 * One thread's histogram building (its slots and the kernels that fill them), in WebAssembly
 * (histogram.wat) or, as a fallback, with the JS kernels of histogram.ts. Both add in the same order,
 * so the histograms are bit-identical; WebAssembly takes about 4/7 of the time (no typed-array
 * checks: bench/README.md, gbdt-vs-sklearn). The fallback serves data too large for a WebAssembly
 * memory (4 GiB with the bins copy and the slots) and runs when WebAssembly histograms are switched
 * off (useWebAssemblyHistograms).
 *
 * The kernels read only their own memory, so each thread keeps there a copy of the training rows'
 * bins (made once per fit, after binning), the rows and gradients of the node at hand (copied per
 * task: a node's row count, against its rows × features of additions), and its histogram slots,
 * which the split scans read in place. The memory is shared, although no other thread uses it: a
 * shared memory grows without detaching its old buffer (growing an unshared one would switch V8 to
 * checking every typed-array access of the process, see src/model/wasm-module.ts), and the slots grow
 * with the tree. Zeroing is memory.fill: TypedArray fill on a SharedArrayBuffer ran at a sixth of the
 * speed.
 */
import { WASM_PAGE_BYTES, WasmModule } from "../../src/model/wasm-module.js";
import { HISTOGRAM_WASM } from "./generated/histogram-wasm.js";
import { accumulateAllGradients, accumulateIndexed, clearHistograms } from "./histogram.js";
import type { NodeStats, SplitConstraints } from "./splitter.js";
import { VALUE_EPS } from "./splitter.js";

/** 4 GiB of address space, reserved, not committed: the slots grow into it. */
const MAX_PAGES = 65_536;

type Zero = (at: number, bytes: number) => void;
type AccIndexed = (bins: number, n: number, f0: number, f1: number, rows: number, count: number, ordered: number, hist: number, stride: number) => void;
type AccAll = (bins: number, n: number, f0: number, f1: number, gradients: number, hist: number, stride: number) => void;
type ScanPairKernel = (
  a: number,
  ab: number,
  hasSib: number,
  sibDelta: number,
  end: number,
  nBins: number,
  missing: number,
  G: number,
  N: number,
  l2e: number,
  msl: number,
  seedNum: number,
  seedDen: number,
  out: number,
) => void;

const isZero = (value: unknown): value is Zero => typeof value === "function" && value.length === 2;
const isAccIndexed = (value: unknown): value is AccIndexed => typeof value === "function" && value.length === 9;
const isAccAll = (value: unknown): value is AccAll => typeof value === "function" && value.length === 7;
const isScanPair = (value: unknown): value is ScanPairKernel => typeof value === "function" && value.length === 14;

/** Float64s the pair scan writes: per lane (A, B) best bin, gl, nl, score numerator, denominator. */
export const PAIR_RESULT_LENGTH = 10;

/**
 * The split scan of two numeric features of a slot in one pass, in f64x2 lanes (histogram.wat's
 * scanPair): both features have no missing values and the same number of non-missing bins; b may
 * equal a (a alone). With a sibling slot, the slot's histograms of both features first become
 * themselves minus the sibling's, as scanNumeric does. Each lane finds the bin scanNumeric would
 * when started from the seed fraction. Returns [binA, binB, glA, glB, nlA, nlB, numA, numB, denA,
 * denB] (bin −1: none beat the seed) in a view the next call overwrites.
 */
export type PairScan = (
  slot: number,
  siblingSlot: number,
  a: number,
  b: number,
  nBinsNonMissing: number,
  node: NodeStats,
  c: SplitConstraints,
  seedNum: number,
  seedDen: number,
) => Float64Array;

const MODULE = new WasmModule("histogram kernels", HISTOGRAM_WASM);

function align(bytes: number, to: number): number {
  return Math.ceil(bytes / to) * to;
}

/** One thread's histogram slots and the kernels that fill them; slots are numbered from 0 as made. */
export interface HistogramBuilder {
  readonly kind: "webassembly" | "js";
  /** A new zeroed-or-not slot (nFeatures × stride float64s), which the split scans read in place. */
  newSlot(): Float64Array;
  /** Before a root task: the bins (once binned, the same all fit) and every training row's gradient. */
  prepareRoot(bins: Uint8Array, gradients: Float32Array): void;
  /** Before a children task: the small node's rows, partition[start .. start + count), and their gradients. */
  prepareNode(bins: Uint8Array, partition: Uint32Array, start: number, count: number, gradients: Float32Array): void;
  /** Zeroes features [f0, f1) of a slot. */
  clear(slot: number, f0: number, f1: number): void;
  /** Adds the prepared node's rows (gradient and count) to features [f0, f1) of a slot. */
  accumulateIndexed(slot: number, f0: number, f1: number, count: number): void;
  /** Adds every training row's gradient (not the counts) to features [f0, f1) of a slot. */
  accumulateAllGradients(slot: number, f0: number, f1: number): void;
  /** The two-feature split scan, or null when this builder has none (scanNumeric then runs per feature). */
  readonly pairScan: PairScan | null;
}

let webAssembly = true;

/** Switches WebAssembly histograms off (or back on) for the fits this thread starts from now on (tests, and an escape hatch). */
export function useWebAssemblyHistograms(enabled: boolean): void {
  webAssembly = enabled;
}

/** WebAssembly when it is on and the data and `maxSlots` slots fit its memory, else the JS kernels. */
export function histogramBuilder(nSamples: number, nFeatures: number, stride: number, maxSlots: number): HistogramBuilder {
  return webAssembly && WasmHistograms.fits(nSamples, nFeatures, stride, maxSlots) ? new WasmHistograms(nSamples, nFeatures, stride) : new JsHistograms(nSamples, nFeatures, stride);
}

interface WasmLayout {
  readonly rows: number;
  readonly ordered: number;
  readonly gradients: number;
  /** The pair scan's results (PAIR_RESULT_LENGTH float64s). */
  readonly pairResult: number;
  readonly firstSlot: number;
  readonly slotBytes: number;
  /** Pages for everything and the first four slots. */
  readonly initialPages: number;
}

function wasmLayout(nSamples: number, nFeatures: number, stride: number): WasmLayout {
  const slotBytes = nFeatures * stride * Float64Array.BYTES_PER_ELEMENT;
  // bins at 0
  const rows = align(nSamples * nFeatures, 16);
  const ordered = rows + 4 * nSamples;
  const gradients = ordered + 4 * nSamples;
  const pairResult = align(gradients + 4 * nSamples, 16);
  // Slots start on a 4 KiB page, so a feature's histogram (256 bins × 16 bytes) is one page, not
  // two halves: hardware prefetchers stop at page ends, and the larger child's scan streams its
  // parent's histograms from memory (fits 4 % faster, bench/README.md).
  const firstSlot = align(pairResult + PAIR_RESULT_LENGTH * Float64Array.BYTES_PER_ELEMENT, 4096);
  return { rows, ordered, gradients, pairResult, firstSlot, slotBytes, initialPages: Math.ceil((firstSlot + 4 * slotBytes) / WASM_PAGE_BYTES) };
}

export class WasmHistograms implements HistogramBuilder {
  readonly kind = "webassembly";
  /** The training rows' bins, column-major (this thread's copy of the shared bins). */
  readonly #bins: Uint8Array;
  readonly #rows: Uint32Array;
  readonly #ordered: Float32Array;
  readonly #gradients: Float32Array;
  readonly #memory: WebAssembly.Memory;
  readonly #zero: Zero;
  readonly #accIndexed: AccIndexed;
  readonly #accAll: AccAll;
  readonly #scanPair: ScanPairKernel;
  readonly #pairResult: Float64Array;
  readonly pairScan: PairScan;
  readonly #nSamples: number;
  /** Bytes per feature in a slot (stride float64s). */
  readonly #featureBytes: number;
  readonly #slotBytes: number;
  readonly #offsets: number[] = [];
  #nextSlot: number;
  #binsCopied = false;

  /** Whether the bins, the node scratch and `maxSlots` slots fit a WebAssembly memory (4 GiB). */
  static fits(nSamples: number, nFeatures: number, stride: number, maxSlots: number): boolean {
    const layout = wasmLayout(nSamples, nFeatures, stride);
    return layout.firstSlot + maxSlots * layout.slotBytes <= MAX_PAGES * WASM_PAGE_BYTES;
  }

  constructor(nSamples: number, nFeatures: number, stride: number) {
    const layout = wasmLayout(nSamples, nFeatures, stride);
    if (layout.initialPages > MAX_PAGES) throw new RangeError(`WebAssembly histograms need ${layout.initialPages} pages of 64 KiB, more than ${MAX_PAGES}`);
    this.#nSamples = nSamples;
    this.#featureBytes = stride * Float64Array.BYTES_PER_ELEMENT;
    this.#slotBytes = layout.slotBytes;
    this.#nextSlot = layout.firstSlot;
    this.#memory = new WebAssembly.Memory({ initial: layout.initialPages, maximum: MAX_PAGES, shared: true });
    const exported = MODULE.instantiate("hist", this.#memory);
    this.#zero = exported("zero", isZero);
    this.#accIndexed = exported("accIndexed", isAccIndexed);
    this.#accAll = exported("accAll", isAccAll);
    this.#scanPair = exported("scanPair", isScanPair);
    const buffer = this.#memory.buffer;
    this.#bins = new Uint8Array(buffer, 0, nSamples * nFeatures);
    this.#rows = new Uint32Array(buffer, layout.rows, nSamples);
    this.#ordered = new Float32Array(buffer, layout.ordered, nSamples);
    this.#gradients = new Float32Array(buffer, layout.gradients, nSamples);
    this.#pairResult = new Float64Array(buffer, layout.pairResult, PAIR_RESULT_LENGTH);
    this.pairScan = (slot, siblingSlot, a, b, nBinsNonMissing, node, c, seedNum, seedDen) => {
      const at = this.#offset(slot);
      const featureBytes = this.#featureBytes;
      this.#scanPair(
        at + a * featureBytes,
        (b - a) * featureBytes,
        siblingSlot < 0 ? 0 : 1,
        siblingSlot < 0 ? 0 : this.#offset(siblingSlot) - at,
        // missing values go right, so the last non-missing bin cannot go left (scanNumeric's end)
        Math.max(nBinsNonMissing - 1, 0),
        nBinsNonMissing,
        c.missingBin * 2 * Float64Array.BYTES_PER_ELEMENT,
        node.sumGrad,
        node.count,
        c.l2Regularization + VALUE_EPS,
        c.minSamplesLeaf,
        seedNum,
        seedDen,
        this.#pairResult.byteOffset,
      );
      return this.#pairResult;
    };
  }

  newSlot(): Float64Array {
    const offset = this.#nextSlot;
    const end = offset + this.#slotBytes;
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / WASM_PAGE_BYTES));
    this.#nextSlot = end;
    this.#offsets.push(offset);
    return new Float64Array(this.#memory.buffer, offset, this.#slotBytes / Float64Array.BYTES_PER_ELEMENT);
  }

  /** The bins are copied once per fit (a fit binds this object to its shared state). */
  #copyBins(bins: Uint8Array): void {
    if (this.#binsCopied) return;
    this.#bins.set(bins);
    this.#binsCopied = true;
  }

  prepareRoot(bins: Uint8Array, gradients: Float32Array): void {
    this.#copyBins(bins);
    this.#gradients.set(gradients);
  }

  prepareNode(bins: Uint8Array, partition: Uint32Array, start: number, count: number, gradients: Float32Array): void {
    this.#copyBins(bins);
    const rows = this.#rows;
    const ordered = this.#ordered;
    for (let i = 0; i < count; i++) {
      const row = partition[start + i];
      rows[i] = row;
      ordered[i] = gradients[row];
    }
  }

  clear(slot: number, f0: number, f1: number): void {
    this.#zero(this.#offset(slot) + f0 * this.#featureBytes, (f1 - f0) * this.#featureBytes);
  }

  accumulateIndexed(slot: number, f0: number, f1: number, count: number): void {
    this.#accIndexed(this.#bins.byteOffset, this.#nSamples, f0, f1, this.#rows.byteOffset, count, this.#ordered.byteOffset, this.#offset(slot), this.#featureBytes);
  }

  accumulateAllGradients(slot: number, f0: number, f1: number): void {
    this.#accAll(this.#bins.byteOffset, this.#nSamples, f0, f1, this.#gradients.byteOffset, this.#offset(slot), this.#featureBytes);
  }

  #offset(slot: number): number {
    const offset = this.#offsets[slot];
    if (offset === undefined) throw new RangeError(`no histogram slot ${slot}`);
    return offset;
  }
}

/** The JS kernels of histogram.ts over plain ArrayBuffers (fill runs fast there). */
export class JsHistograms implements HistogramBuilder {
  readonly kind = "js";
  readonly pairScan = null;
  readonly #slots: Float64Array[] = [];
  readonly #ordered: Float32Array;
  readonly #nSamples: number;
  readonly #slotLength: number;
  readonly #stride: number;
  #bins: Uint8Array = new Uint8Array(0);
  #gradients: Float32Array = new Float32Array(0);
  #partition: Uint32Array = new Uint32Array(0);
  #start = 0;

  constructor(nSamples: number, nFeatures: number, stride: number) {
    this.#nSamples = nSamples;
    this.#stride = stride;
    this.#slotLength = nFeatures * stride;
    this.#ordered = new Float32Array(nSamples);
  }

  newSlot(): Float64Array {
    const hist = new Float64Array(this.#slotLength);
    this.#slots.push(hist);
    return hist;
  }

  prepareRoot(bins: Uint8Array, gradients: Float32Array): void {
    this.#bins = bins;
    this.#gradients = gradients;
  }

  prepareNode(bins: Uint8Array, partition: Uint32Array, start: number, count: number, gradients: Float32Array): void {
    this.#bins = bins;
    this.#partition = partition;
    this.#start = start;
    const ordered = this.#ordered;
    for (let i = 0; i < count; i++) ordered[i] = gradients[partition[start + i]];
  }

  clear(slot: number, f0: number, f1: number): void {
    clearHistograms(this.#slot(slot), this.#stride, f0, f1);
  }

  accumulateIndexed(slot: number, f0: number, f1: number, count: number): void {
    accumulateIndexed(this.#slot(slot), this.#stride, this.#bins, this.#nSamples, f0, f1, this.#partition, this.#start, count, this.#ordered);
  }

  accumulateAllGradients(slot: number, f0: number, f1: number): void {
    accumulateAllGradients(this.#slot(slot), this.#stride, this.#bins, this.#nSamples, f0, f1, this.#gradients);
  }

  #slot(slot: number): Float64Array {
    const hist = this.#slots[slot];
    if (hist === undefined) throw new RangeError(`no histogram slot ${slot}`);
    return hist;
  }
}
