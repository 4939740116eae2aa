import { ITEM_SIZE, halfToFloat } from "./dtypes.js";
import type { PvTensor } from "./pickle-values.js";
import type { PtTensor } from "./types.js";

/**
 * Turns a checked tensor description and its storage's bytes into a PtTensor whose data is contiguous,
 * row-major and native-endian. Zero copy when the tensor is a contiguous, aligned, little-endian run of
 * a dtype JavaScript has an array for; otherwise one copy (gathering strides, swapping bytes, aligning,
 * widening half and bfloat16 to float32).
 */
export function materializeTensor(tensor: PvTensor, storageBytes: Uint8Array, littleEndian: boolean): PtTensor {
  const { dtype } = tensor.storage;
  const bytes = elementBytes(tensor, storageBytes, littleEndian);
  const n = tensor.numel;
  const base: Omit<PtTensor, "dtype" | "data"> = {
    kind: "tensor",
    shape: tensor.shape,
    strides: tensor.strides,
    storageOffset: tensor.storageOffset,
    requiresGrad: tensor.requiresGrad,
    parameter: tensor.parameter,
  };
  const buffer = bytes.buffer;
  const at = bytes.byteOffset;
  switch (dtype) {
    case "float32":
      return { ...base, dtype, data: new Float32Array(buffer, at, n) };
    case "float64":
      return { ...base, dtype, data: new Float64Array(buffer, at, n) };
    case "float16":
      return { ...base, dtype, data: widenHalf(new Uint16Array(buffer, at, n)) };
    case "bfloat16":
      return { ...base, dtype, data: widenBfloat16(new Uint16Array(buffer, at, n)) };
    case "int8":
      return { ...base, dtype, data: new Int8Array(buffer, at, n) };
    case "int16":
      return { ...base, dtype, data: new Int16Array(buffer, at, n) };
    case "int32":
      return { ...base, dtype, data: new Int32Array(buffer, at, n) };
    case "int64":
      return { ...base, dtype, data: new BigInt64Array(buffer, at, n) };
    case "uint8":
      return { ...base, dtype, data: new Uint8Array(buffer, at, n) };
    case "bool":
      return { ...base, dtype, data: new Uint8Array(buffer, at, n) };
  }
}

/** True when the strides are the row-major ones for the shape (dimensions of size 1 may have any stride). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] ?? 1;
    if (size !== 1 && strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

/** The tensor's elements as contiguous native-endian bytes, aligned for its dtype (a view when possible). */
function elementBytes(tensor: PvTensor, storageBytes: Uint8Array, littleEndian: boolean): Uint8Array {
  const k = ITEM_SIZE[tensor.storage.dtype];
  const n = tensor.numel;
  if (n === 0) return new Uint8Array(0);
  let extent = 1;
  for (let d = 0; d < tensor.shape.length; d++) extent += ((tensor.shape[d] ?? 1) - 1) * (tensor.strides[d] ?? 0);
  const start = tensor.storage.byteOffset + tensor.storageOffset * k;
  let region = storageBytes.subarray(start, start + extent * k);
  const contiguous = isContiguous(tensor.shape, tensor.strides);
  if (contiguous && littleEndian && region.byteOffset % k === 0) return region.subarray(0, n * k);
  if (region.byteOffset % k !== 0) region = new Uint8Array(region); // a copy in a fresh, aligned buffer
  const out = contiguous ? new Uint8Array(region.subarray(0, n * k)) : gather(region, k, tensor.shape, tensor.strides, n);
  if (!littleEndian) swapBytes(out, k);
  return out;
}

/** Copies strided elements (k bytes each, region aligned to k) into a new contiguous buffer. */
function gather(region: Uint8Array, k: number, shape: readonly number[], strides: readonly number[], n: number): Uint8Array {
  const out = new Uint8Array(n * k);
  // Copy in units of up to 4 bytes: an element of k bytes is `per` units.
  const unit = Math.min(k, 4);
  const per = k / unit;
  const src = unitView(region, unit);
  const dst = unitView(out, unit);
  const ndim = shape.length;
  if (ndim === 0) {
    for (let u = 0; u < per; u++) dst[u] = src[u];
    return out;
  }
  const inner = shape[ndim - 1] ?? 1;
  const innerStride = (strides[ndim - 1] ?? 0) * per;
  const counter = new Array<number>(ndim - 1).fill(0);
  const rows = n / inner;
  let base = 0;
  let j = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0, i = base; c < inner; c++, i += innerStride) {
      for (let u = 0; u < per; u++) dst[j++] = src[i + u];
    }
    for (let d = ndim - 2; d >= 0; d--) {
      const stride = (strides[d] ?? 0) * per;
      base += stride;
      counter[d] += 1;
      if (counter[d] < (shape[d] ?? 1)) break;
      base -= stride * (shape[d] ?? 1);
      counter[d] = 0;
    }
  }
  return out;
}

function unitView(bytes: Uint8Array, unit: number): Uint8Array | Uint16Array | Uint32Array {
  if (unit === 4) return new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  if (unit === 2) return new Uint16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 2));
  return bytes;
}

function swapBytes(bytes: Uint8Array, k: number): void {
  if (k === 1) return;
  for (let i = 0; i + k <= bytes.length; i += k) {
    for (let a = i, b = i + k - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

let halfTable: Float32Array | undefined;

function widenHalf(bits: Uint16Array): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) halfTable[b] = halfToFloat(b);
  }
  const table = halfTable;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

function widenBfloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i] << 16;
  return out;
}

