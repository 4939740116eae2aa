import { endianness } from "node:os";
import { ViralityError } from "../errors.js";
import { storageClassOf } from "./pt/dtypes.js";
import { PickleWriter } from "./pt/pickle-writer.js";
import { readPt } from "./pt/read.js";
import { dictGet, type PtFile, type PtReadOptions, type PtValue } from "./pt/types.js";
import { writeZip } from "./pt/zip-writer.js";

/**
 * The fused.pt contract: a torch.save file holding `{"ids": list[str], "fused": float tensor [n, d]}`,
 * one row of the fused multimodal embedding per video id. The tensor may be float16, bfloat16, float32
 * or float64; it is handed out as float32, row-major and contiguous.
 */
export interface FusedEmbeddings {
  readonly ids: string[];
  readonly dim: number;
  /** ids.length × dim values; row i is the embedding of ids[i]. */
  readonly data: Float32Array;
}

/** Reads and validates a fused.pt file. Every violation is a VIR_FUSED_INVALID naming the file and the id/row. */
export async function readFused(path: string, options?: PtReadOptions): Promise<FusedEmbeddings> {
  return fusedFromPt(await readPt(path, options), path);
}

function invalid(file: string, message: string, details: Readonly<Record<string, string | number>> = {}): ViralityError {
  return new ViralityError("VIR_FUSED_INVALID", `${file}: ${message}`, { details: { file, ...details } });
}

function describeValue(value: PtValue | undefined): string {
  if (value === undefined) return "missing";
  if (value.kind === "tensor") return `a ${value.dtype} tensor of shape [${value.shape.join(", ")}]`;
  return `${/^[aeiou]/.test(value.kind) ? "an" : "a"} ${value.kind}`;
}

/** Validates an already-read .pt file against the contract (`file` names it in errors). */
export function fusedFromPt(pt: PtFile, file: string): FusedEmbeddings {
  const root = pt.root;
  const expected = 'fused.pt must hold {"ids": list[str], "fused": float tensor [n, d]}';
  if (root.kind !== "dict") throw invalid(file, `the top level is ${describeValue(root)}, not a dict; ${expected}`, { field: "$" });
  const idsValue = dictGet(root, "ids");
  const fused = dictGet(root, "fused");
  if (idsValue === undefined || (idsValue.kind !== "list" && idsValue.kind !== "tuple")) {
    throw invalid(file, `"ids" is ${describeValue(idsValue)}, not a list of strings; ${expected}`, { field: "ids" });
  }
  if (fused === undefined || fused.kind !== "tensor") {
    throw invalid(file, `"fused" is ${describeValue(fused)}, not a float tensor; ${expected}`, { field: "fused" });
  }
  const ids = idsValue.items.map((item, row) => {
    if (item.kind !== "string") throw invalid(file, `ids[${row}] is ${describeValue(item)}, not a string`, { field: "ids", row });
    return item.value;
  });
  if (fused.shape.length !== 2) {
    throw invalid(file, `"fused" has shape [${fused.shape.join(", ")}]; it must be 2-dimensional [n, d]`, { field: "fused" });
  }
  const [rows = 0, dim = 0] = fused.shape;
  if (dim <= 0) throw invalid(file, `"fused" has d = ${dim}; the embedding dimension must be positive`, { field: "fused" });
  if (rows !== ids.length) {
    throw invalid(file, `"fused" has ${rows} rows but "ids" has ${ids.length} entries; they must match one to one`, { field: "fused" });
  }
  let data: Float32Array;
  switch (fused.dtype) {
    case "float32":
    case "float16":
    case "bfloat16":
      data = fused.data;
      break;
    case "float64":
      data = Float32Array.from(fused.data);
      break;
    default:
      throw invalid(file, `"fused" is a ${fused.dtype} tensor; it must be float16, bfloat16, float32 or float64`, { field: "fused" });
  }
  checkUnique(ids, file);
  checkFinite(data, ids, dim, file);
  return { ids, dim, data };
}

function checkUnique(ids: readonly string[], file: string): void {
  const seen = new Set<string>();
  ids.forEach((id, row) => {
    if (seen.has(id)) {
      throw invalid(file, `id "${id}" appears twice (rows ${ids.indexOf(id)} and ${row}); ids must be unique`, { id, row });
    }
    seen.add(id);
  });
}

function checkFinite(data: Float32Array, ids: readonly string[], dim: number, file: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for finite values and NaN for NaN and ±Infinity: one comparison per value.
    if (v - v !== 0) {
      const row = Math.floor(i / dim);
      throw invalid(file, `row ${row} (id "${ids[row]}") has the non-finite value ${v} at column ${i % dim} (after conversion to float32)`, {
        id: ids[row] ?? "",
        row,
        column: i % dim,
      });
    }
  }
}

/**
 * Writes a fused.pt as torch.save(…, _use_new_zipfile_serialization=True) does, protocol 2, so that
 * `torch.load(path, weights_only=True)` reads it: {"ids": [...], "fused": float32 tensor [n, dim]}.
 * The data is validated like readFused validates it, before anything is written.
 */
export async function writeFused(path: string, ids: readonly string[], dim: number, data: Float32Array): Promise<void> {
  if (!Number.isSafeInteger(dim) || dim <= 0) throw invalid(path, `dim must be a positive integer, got ${dim}`, { field: "dim" });
  if (data.length !== ids.length * dim) {
    throw invalid(path, `data has ${data.length} values but ${ids.length} ids × dim ${dim} = ${ids.length * dim}`, { field: "fused" });
  }
  checkUnique(ids, path);
  checkFinite(data, ids, dim, path);

  const numel = ids.length * dim;
  const pickle = new PickleWriter().emptyDict().mark().string("ids").emptyList();
  for (let start = 0; start < ids.length; start += 1000) {
    pickle.mark();
    for (const id of ids.slice(start, start + 1000)) pickle.string(id);
    pickle.appends();
  }
  pickle
    .string("fused")
    .global("torch._utils", "_rebuild_tensor_v2")
    .mark()
    .mark()
    .string("storage")
    .global("torch", storageClassOf("float32"))
    .string("0")
    .string("cpu")
    .int(numel)
    .tuple()
    .binPersId()
    .int(0)
    .int(ids.length)
    .int(dim)
    .tuple2()
    .int(dim)
    .int(1)
    .tuple2()
    .bool(false)
    .global("collections", "OrderedDict")
    .emptyTuple()
    .reduce()
    .tuple()
    .reduce()
    .setItems()
    .stop();

  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  await writeZip(path, [
    { name: "archive/data.pkl", bytes: pickle.bytes() },
    { name: "archive/.format_version", bytes: text("1") },
    { name: "archive/.storage_alignment", bytes: text("64") },
    { name: "archive/byteorder", bytes: text("little") },
    { name: "archive/data/0", bytes: littleEndianBytes(data) },
    { name: "archive/version", bytes: text("3\n") },
  ]);
}

function littleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (endianness() === "LE") return bytes;
  const swapped = new Uint8Array(bytes);
  for (let i = 0; i < swapped.length; i += 4) swapped.set([bytes[i + 3] ?? 0, bytes[i + 2] ?? 0, bytes[i + 1] ?? 0, bytes[i] ?? 0], i);
  return swapped;
}
