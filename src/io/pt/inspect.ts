import { ptError } from "./fail.js";
import { readPt } from "./read.js";
import type { PtDtype, PtReadOptions, PtTensor, PtValue } from "./types.js";

/**
 * `virality pt inspect FILE`: a JSON-ready description of what a .pt file holds, with dtypes and shapes,
 * and the tensors' values when asked. Non-finite floats become the strings "NaN", "Infinity",
 * "-Infinity"; ints beyond 2^53 become decimal strings; bytes are shown as their length and base64.
 */
export interface InspectOptions extends PtReadOptions {
  /** Include tensor values (nested arrays in the tensor's shape). */
  readonly values: boolean;
  /** A tensor with more elements than this has its values left out (default 10,000). */
  readonly maxValues?: number;
  /** The most nodes the description may have (shared values count each time they appear; default 1,000,000). */
  readonly maxNodes?: number;
}

export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";
export type TensorValues = JsonNumber | string | boolean | TensorValues[];

export interface TensorNode {
  readonly type: "tensor";
  readonly dtype: PtDtype;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly storageOffset: number;
  readonly numel: number;
  readonly requiresGrad: boolean;
  readonly parameter: boolean;
  readonly values?: TensorValues;
  readonly valuesOmitted?: string;
}

export type InspectNode =
  | TensorNode
  | { readonly type: "dict"; readonly ordered: boolean; readonly entries: readonly { readonly key: string | number; readonly value: InspectNode }[] }
  | { readonly type: "list" | "tuple"; readonly items: readonly InspectNode[] }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "int"; readonly value: number | string }
  | { readonly type: "float"; readonly value: JsonNumber }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "none" }
  | { readonly type: "bytes"; readonly length: number; readonly base64: string }
  | { readonly type: "dtype"; readonly name: string };

export interface InspectResult {
  readonly file: string;
  readonly format: "zip" | "legacy";
  readonly archiveName: string;
  readonly byteOrder: "little" | "big";
  readonly root: InspectNode;
}

export async function inspectPt(path: string, options: InspectOptions): Promise<InspectResult> {
  const pt = await readPt(path, options);
  return { file: path, format: pt.format, archiveName: pt.archiveName, byteOrder: pt.byteOrder, root: describePt(pt.root, path, options) };
}

/** The description of an already-read value (`file` names it in errors). */
export function describePt(root: PtValue, file: string, options: InspectOptions): InspectNode {
  const maxValues = options.maxValues ?? 10_000;
  const maxNodes = options.maxNodes ?? 1_000_000;
  let nodes = 0;
  const walk = (value: PtValue): InspectNode => {
    nodes += 1;
    if (nodes > maxNodes) {
      throw ptError("VIR_PT_LIMIT", file, `the description would have more than ${maxNodes} nodes (shared values repeat); raise maxNodes to see it`, {});
    }
    switch (value.kind) {
      case "tensor":
        return describeTensor(value, options.values, maxValues);
      case "dict":
        return { type: "dict", ordered: value.ordered, entries: value.entries.map(([k, v]) => ({ key: keyLabel(k), value: walk(v) })) };
      case "list":
      case "tuple":
        return { type: value.kind, items: value.items.map(walk) };
      case "string":
        return { type: "string", value: value.value };
      case "int":
        return { type: "int", value: typeof value.value === "bigint" ? value.value.toString() : value.value };
      case "float":
        return { type: "float", value: jsonNumber(value.value) };
      case "bool":
        return { type: "bool", value: value.value };
      case "none":
        return { type: "none" };
      case "bytes":
        return { type: "bytes", length: value.value.length, base64: Buffer.from(value.value).toString("base64") };
      case "dtype":
        return { type: "dtype", name: value.name };
    }
  };
  return walk(root);
}

function keyLabel(key: PtValue): string | number {
  if (key.kind === "string") return key.value;
  if (key.kind === "int") return typeof key.value === "bigint" ? key.value.toString() : key.value;
  if (key.kind === "float" || key.kind === "bool") return String(key.value);
  if (key.kind === "none") return "None";
  if (key.kind === "tuple") return `(${key.items.map((item) => String(keyLabel(item))).join(", ")})`;
  return `<${key.kind}>`;
}

function jsonNumber(value: number): JsonNumber {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return value;
}

function describeTensor(tensor: PtTensor, withValues: boolean, maxValues: number): InspectNode {
  const numel = tensor.data.length;
  const base: Omit<TensorNode, "values" | "valuesOmitted"> = {
    type: "tensor",
    dtype: tensor.dtype,
    shape: tensor.shape,
    strides: tensor.strides,
    storageOffset: tensor.storageOffset,
    numel,
    requiresGrad: tensor.requiresGrad,
    parameter: tensor.parameter,
  };
  if (!withValues) return base;
  if (numel > maxValues) return { ...base, valuesOmitted: `${numel} elements, more than maxValues ${maxValues}` };
  const element = (i: number): TensorValues => {
    if (tensor.dtype === "int64") {
      const v = tensor.data[i] ?? 0n;
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v.toString();
    }
    if (tensor.dtype === "bool") return tensor.data[i] !== 0;
    return jsonNumber(tensor.data[i] ?? NaN);
  };
  return { ...base, values: nest(tensor.shape, 0, 0, element) };
}

/** The row-major elements from `start` as nested arrays in `shape[dim..]` (a scalar for 0-d). */
function nest(shape: readonly number[], dim: number, start: number, element: (i: number) => TensorValues): TensorValues {
  if (dim === shape.length) return element(start);
  const size = shape[dim] ?? 0;
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d] ?? 1;
  const out: TensorValues[] = [];
  for (let i = 0; i < size; i++) out.push(nest(shape, dim + 1, start + i * inner, element));
  return out;
}
