import type { PtDtype } from "./types.js";

/**
 * The values the pickle VM works with while it runs. They are plain data; "global" values are only
 * allowlisted names whose behaviour this reader implements itself (see globals.ts).
 */

export interface PvInt {
  readonly t: "int";
  readonly v: number | bigint;
}
export interface PvFloat {
  readonly t: "float";
  readonly v: number;
}
export interface PvBool {
  readonly t: "bool";
  readonly v: boolean;
}
export interface PvNone {
  readonly t: "none";
}
export interface PvStr {
  readonly t: "str";
  readonly v: string;
}
export interface PvBytes {
  readonly t: "bytes";
  readonly v: Uint8Array;
}
export interface PvList {
  readonly t: "list";
  readonly items: Pv[];
}
export interface PvTuple {
  readonly t: "tuple";
  readonly items: readonly Pv[];
}
export interface PvDict {
  readonly t: "dict";
  readonly ordered: boolean;
  /** Keyed by a canonical form of the Python key (so equal keys overwrite, as in Python). */
  readonly map: Map<string, readonly [Pv, Pv]>;
}

/** What an allowlisted global is, and so what REDUCE/NEWOBJ may do with it. */
export type GlobalRole =
  | { readonly kind: "rebuild_tensor_v2" }
  | { readonly kind: "rebuild_tensor" }
  | { readonly kind: "rebuild_parameter" }
  | { readonly kind: "rebuild_parameter_with_state" }
  | { readonly kind: "ordered_dict" }
  | { readonly kind: "torch_size" }
  | { readonly kind: "codecs_encode" }
  | { readonly kind: "storage_class"; readonly dtype: PtDtype }
  | { readonly kind: "torch_dtype"; readonly name: string };

export interface PvGlobal {
  readonly t: "global";
  readonly module: string;
  readonly name: string;
  readonly role: GlobalRole;
}

/** A storage as a persistent load returns it: `numel` elements of `dtype` from `byteOffset` of entry `key`. */
export interface PvStorage {
  readonly t: "storage";
  readonly key: string;
  readonly dtype: PtDtype;
  readonly byteOffset: number;
  readonly numel: number;
}

/** A tensor as the pickle describes it: checked against its storage, not yet read. */
export interface PvTensor {
  readonly t: "tensor";
  readonly storage: PvStorage;
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly numel: number;
  readonly requiresGrad: boolean;
  readonly parameter: boolean;
}

export type Pv =
  | PvInt
  | PvFloat
  | PvBool
  | PvNone
  | PvStr
  | PvBytes
  | PvList
  | PvTuple
  | PvDict
  | PvGlobal
  | PvStorage
  | PvTensor;

export const NONE: PvNone = { t: "none" };
export const TRUE: PvBool = { t: "bool", v: true };
export const FALSE: PvBool = { t: "bool", v: false };

/** A Python int as a number when it is safe, else a bigint. */
export function pyInt(value: bigint): PvInt {
  const asNumber = Number(value);
  return { t: "int", v: Number.isSafeInteger(asNumber) ? asNumber : value };
}

/** Short description of a value's type for error messages. */
export function typeName(value: Pv): string {
  switch (value.t) {
    case "global":
      return `${value.module}.${value.name}`;
    default:
      return value.t;
  }
}

/** The type with its article ("an int", "a list", "os.system"), for error messages. */
export function aTypeName(value: Pv): string {
  if (value.t === "global") return typeName(value);
  return `${/^[aeiou]/.test(value.t) ? "an" : "a"} ${value.t}`;
}
