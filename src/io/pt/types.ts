/**
 * The value tree a `.pt` file decodes to: what `torch.save` pickled, with tensors materialised as typed
 * arrays. Nothing in the tree is executable; every node is plain data.
 */

/** The tensor element types the reader understands (torch's names without the `torch.` prefix). */
export const PT_DTYPES = [
  "float32",
  "float64",
  "float16",
  "bfloat16",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "bool",
] as const;

export type PtDtype = (typeof PT_DTYPES)[number];

/**
 * How each dtype is held in `PtTensor.data`:
 *  - float32 → Float32Array, float64 → Float64Array;
 *  - float16, bfloat16 → Float32Array (converted exactly: every half/bfloat16 value is a float32 value);
 *  - int8 → Int8Array, int16 → Int16Array, int32 → Int32Array, uint8 → Uint8Array;
 *  - int64 → BigInt64Array (exact; convert with Number() where the values are known to be small);
 *  - bool → Uint8Array (0 is false, anything else true; torch writes 0 and 1).
 */
export interface PtTensorDataByDtype {
  float32: Float32Array;
  float64: Float64Array;
  float16: Float32Array;
  bfloat16: Float32Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type PtTensorData = PtTensorDataByDtype[PtDtype];

/**
 * A tensor. `data` always holds the tensor's elements contiguously in row-major (C) order, exactly
 * `product(shape)` of them, whatever the layout in the file. `strides` and `storageOffset` record that
 * layout (in elements, as torch counts them) for inspection only: do not index `data` with them.
 * `data` may share memory with the tensor's storage (and with other tensors viewing the same storage,
 * as in torch): copy it before mutating.
 */
export type PtTensor = {
  [D in PtDtype]: {
    readonly kind: "tensor";
    readonly dtype: D;
    readonly shape: readonly number[];
    readonly strides: readonly number[];
    readonly storageOffset: number;
    readonly requiresGrad: boolean;
    /** True when the file holds an `nn.Parameter` (rebuilt through `torch._utils._rebuild_parameter`). */
    readonly parameter: boolean;
    readonly data: PtTensorDataByDtype[D];
  };
}[PtDtype];

/** A Python dict (or OrderedDict): its entries in insertion order; keys are any hashable PtValue. */
export interface PtDict {
  readonly kind: "dict";
  readonly ordered: boolean;
  readonly entries: readonly (readonly [PtValue, PtValue])[];
}

export interface PtList {
  readonly kind: "list";
  readonly items: readonly PtValue[];
}

export interface PtTuple {
  readonly kind: "tuple";
  readonly items: readonly PtValue[];
}

export interface PtString {
  readonly kind: "string";
  readonly value: string;
}

/** A Python int: a number while it is a safe integer, a bigint beyond that. */
export interface PtInt {
  readonly kind: "int";
  readonly value: number | bigint;
}

export interface PtFloat {
  readonly kind: "float";
  readonly value: number;
}

export interface PtBool {
  readonly kind: "bool";
  readonly value: boolean;
}

export interface PtNone {
  readonly kind: "none";
}

export interface PtBytes {
  readonly kind: "bytes";
  readonly value: Uint8Array;
}

/** A `torch.<dtype>` object stored as a value (e.g. a config entry `dtype: torch.float16`). */
export interface PtDtypeValue {
  readonly kind: "dtype";
  readonly name: string;
}

export type PtValue =
  | PtTensor
  | PtDict
  | PtList
  | PtTuple
  | PtString
  | PtInt
  | PtFloat
  | PtBool
  | PtNone
  | PtBytes
  | PtDtypeValue;

/** Which on-disk format the file was in. */
export type PtFormat = "zip" | "legacy";

export interface PtFile {
  readonly format: PtFormat;
  /** The archive's folder name inside the zip (e.g. `archive`), or "" for the legacy format. */
  readonly archiveName: string;
  readonly byteOrder: "little" | "big";
  readonly root: PtValue;
}

/** Limits that keep memory and time bounded on hostile input. */
export interface PtReadOptions {
  /** The most elements one tensor or storage may declare (default 2^32 − 1, the typed-array limit). */
  readonly maxElements?: number;
  /** The deepest nesting of containers (default 1,000). */
  readonly maxDepth?: number;
  /** Check the CRC-32 of storage entries too, not only of the small records (default false: speed). */
  readonly verifyStorageCrc?: boolean;
}

/** Returns the value under a string key of a dict, or undefined. */
export function dictGet(dict: PtDict, key: string): PtValue | undefined {
  for (const [k, v] of dict.entries) {
    if (k.kind === "string" && k.value === key) return v;
  }
  return undefined;
}
