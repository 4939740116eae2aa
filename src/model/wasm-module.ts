/**
 * What the project's WebAssembly modules share (the tree walk, src/model/tree-walk.ts; the trainer's
 * histogram kernels, trainer/gbdt/histogram-kernels.ts; the binning's sort, trainer/gbdt/radix-sort.ts):
 * each is compiled once, on first use, from the base64 scripts/gen-wasm.ts generates, instantiated
 * over one imported memory, and its exports are checked before use.
 */
import { Buffer } from "node:buffer";

export const WASM_PAGE_BYTES = 65_536;

/** A checked export of an instance: the named export if `is` accepts it, else an error naming it. */
export type WasmExport = <T>(name: string, is: (value: unknown) => value is T) => T;

export class WasmModule {
  #compiled: WebAssembly.Module | null = null;

  /** `what` names the module in errors ("tree walk"). */
  constructor(
    private readonly what: string,
    private readonly base64: string,
  ) {}

  /** An instance over `memory` (imported as `namespace`.memory), and the lookup of its exports. */
  instantiate(namespace: string, memory: WebAssembly.Memory): WasmExport {
    this.#compiled ??= new WebAssembly.Module(Buffer.from(this.base64, "base64"));
    const { exports } = new WebAssembly.Instance(this.#compiled, { [namespace]: { memory } });
    const what = this.what;
    return function exported<T>(name: string, is: (value: unknown) => value is T): T {
      const value = exports[name];
      if (!is(value)) throw new Error(`the ${what} WebAssembly module lacks its ${name} export`);
      return value;
    };
  }
}

/**
 * An unshared memory of at least `bytes`, at its full size from the start, never to grow: growing
 * detaches the old ArrayBuffer, and after one detached ArrayBuffer V8 checks every typed-array
 * access of the process for it (the trainer's split scans ran ~30 % slower after the first
 * prediction when the tree walk's memory grew; bench/README.md, session 14).
 */
export function fixedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  return new WebAssembly.Memory({ initial: pages, maximum: pages });
}
