import type { PtDtype } from "./types.js";

/** Bytes per element of each dtype as torch stores it. */
export const ITEM_SIZE: Readonly<Record<PtDtype, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  bool: 1,
};

/** The legacy typed-storage classes torch pickles as `torch.<Name>Storage`, by dtype. */
export const STORAGE_CLASS_DTYPE: ReadonlyMap<string, PtDtype> = new Map<string, PtDtype>([
  ["FloatStorage", "float32"],
  ["DoubleStorage", "float64"],
  ["HalfStorage", "float16"],
  ["BFloat16Storage", "bfloat16"],
  ["CharStorage", "int8"],
  ["ShortStorage", "int16"],
  ["IntStorage", "int32"],
  ["LongStorage", "int64"],
  ["ByteStorage", "uint8"],
  ["BoolStorage", "bool"],
]);

/** The storage class torch writes for a dtype (the inverse of STORAGE_CLASS_DTYPE). */
export function storageClassOf(dtype: PtDtype): string {
  for (const [name, d] of STORAGE_CLASS_DTYPE) if (d === dtype) return name;
  throw new Error(`no storage class for ${dtype}`);
}

/** Names of `torch.<dtype>` objects that may appear as plain values in a pickle. */
export const TORCH_DTYPE_NAMES: ReadonlySet<string> = new Set([
  "float32",
  "float",
  "float64",
  "double",
  "float16",
  "half",
  "bfloat16",
  "int8",
  "int16",
  "short",
  "int32",
  "int",
  "int64",
  "long",
  "uint8",
  "bool",
  "complex64",
  "complex128",
  "uint16",
  "uint32",
  "uint64",
]);

/** IEEE binary16 bits to the (exactly representable) float32 value. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
