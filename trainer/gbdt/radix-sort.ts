/**
 * The binning's argsort: an LSD radix argsort of column values that are all exactly float32
 * (always the case for Float32Array input), in WebAssembly (radix-sort.wat). Several times faster
 * than Float64Array.prototype.sort on a 10k-row column, and than the same passes in JS, whose
 * scatter loop was most of a fit's binning (bench/README.md, gbdt-vs-sklearn, session 16).
 *
 * One sorter per thread and binning job: the caller writes a column's values into `values` (in the
 * sorter's own memory, sized once for `capacity` values, see fixedMemory) and sorts a prefix.
 */
import { fixedMemory, WasmModule } from "../../src/model/wasm-module.js";
import { RADIX_SORT_WASM } from "./generated/radix-sort-wasm.js";

/** Three passes' digit counts: 2048, 2048 and 1024 used, 3 × 2048 u32 reserved. */
const COUNTS_BYTES = 3 * 2048 * 4;

type Argsort = (n: number, values: number, keys: number, keysTmp: number, order: number, orderTmp: number, counts: number) => number;

const isArgsort = (value: unknown): value is Argsort => typeof value === "function" && value.length === 7;

const MODULE = new WasmModule("radix sort", RADIX_SORT_WASM);

export class RadixSorter {
  /** Where the caller puts the values to sort. */
  readonly values: Float64Array;
  readonly #buffer: ArrayBufferLike;
  readonly #argsort: Argsort;
  readonly #keys: number;
  readonly #keysTmp: number;
  readonly #order: number;
  readonly #orderTmp: number;
  readonly #counts: number;

  constructor(readonly capacity: number) {
    // values (f64), keys, keysTmp, order, orderTmp (u32 each), counts
    const valuesBytes = 8 * capacity;
    this.#keys = valuesBytes;
    this.#keysTmp = this.#keys + 4 * capacity;
    this.#order = this.#keysTmp + 4 * capacity;
    this.#orderTmp = this.#order + 4 * capacity;
    this.#counts = this.#orderTmp + 4 * capacity;
    const memory = fixedMemory(this.#counts + COUNTS_BYTES);
    this.#argsort = MODULE.instantiate("sort", memory)("argsort", isArgsort);
    this.#buffer = memory.buffer;
    this.values = new Float64Array(this.#buffer, 0, capacity);
  }

  /**
   * Indices of values[0 .. n) in ascending order (stable), or null when some value is not a
   * float32. The array is the sorter's own, overwritten by the next call.
   */
  argsort(n: number): Uint32Array | null {
    if (!Number.isInteger(n) || n < 0 || n > this.capacity) throw new RangeError(`cannot sort ${n} values in a sorter of ${this.capacity}`);
    const at = this.#argsort(n, 0, this.#keys, this.#keysTmp, this.#order, this.#orderTmp, this.#counts);
    return at < 0 ? null : new Uint32Array(this.#buffer, at, n);
  }
}
