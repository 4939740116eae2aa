import { ViralityError } from "../../errors.js";
import { ptError } from "./fail.js";
import type { Pv } from "./pickle-values.js";
import { materializeTensor } from "./tensor.js";
import type { PtTensor, PtValue } from "./types.js";

export interface ConvertContext {
  readonly file: string;
  readonly maxDepth: number;
  readonly littleEndian: boolean;
  /** The bytes of each storage key the tensors use (already checked against their declarations). */
  readonly storages: ReadonlyMap<string, Uint8Array>;
}

/**
 * Turns the VM's result into the public value tree. A value the pickle shares (memo) is converted once
 * and shared in the result; a container that contains itself is refused (the tree has no cycles), and so
 * is nesting deeper than maxDepth (so walking the tree cannot overflow the stack).
 */
/**
 * Containers and tensors: the values that can fail to convert, be shared with identity, or form cycles.
 * Only they get a path string and a memo entry (100,000 ids would otherwise cost both, for nothing).
 */
function needsPath(value: Pv): boolean {
  return value.t === "list" || value.t === "tuple" || value.t === "dict" || value.t === "tensor" || value.t === "global" || value.t === "storage";
}

export function toPtValue(root: Pv, context: ConvertContext): PtValue {
  const done = new Map<Pv, PtValue>();
  // Views are free, copies (strided, unaligned, big-endian, half → float32) are not: a small pickle could
  // otherwise ask for the same large storage to be copied thousands of times.
  let storageBytes = 0;
  for (const bytes of context.storages.values()) storageBytes += bytes.byteLength;
  const copyBudget = 2 * storageBytes + 64 * 1024 * 1024;
  let copied = 0;
  const active = new Set<Pv>();

  const walk = (value: Pv, depth: number, path: string): PtValue => {
    if (!needsPath(value)) return convert(value, depth, path);
    const known = done.get(value);
    if (known !== undefined) return known;
    if (active.has(value)) {
      throw ptError("VIR_PT_CORRUPT", context.file, `the pickle builds a container that contains itself (at ${path})`, { field: path });
    }
    if (depth > context.maxDepth) {
      throw ptError("VIR_PT_LIMIT", context.file, `containers nest deeper than ${context.maxDepth} (at ${path.slice(0, 200)})`, {
        field: path.slice(0, 200),
      });
    }
    active.add(value);
    const result = convert(value, depth, path);
    active.delete(value);
    done.set(value, result);
    return result;
  };

  const convert = (value: Pv, depth: number, path: string): PtValue => {
    switch (value.t) {
      case "none":
        return { kind: "none" };
      case "bool":
        return { kind: "bool", value: value.v };
      case "int":
        return { kind: "int", value: value.v };
      case "float":
        return { kind: "float", value: value.v };
      case "str":
        return { kind: "string", value: value.v };
      case "bytes":
        return { kind: "bytes", value: value.v };
      case "list":
        return { kind: "list", items: value.items.map((item, i) => walk(item, depth + 1, needsPath(item) ? `${path}[${i}]` : path)) };
      case "tuple":
        return { kind: "tuple", items: value.items.map((item, i) => walk(item, depth + 1, needsPath(item) ? `${path}[${i}]` : path)) };
      case "dict":
        return {
          kind: "dict",
          ordered: value.ordered,
          entries: [...value.map.values()].map(([k, v]) => {
            const label = k.t === "str" ? k.v : k.t === "int" ? String(k.v) : `<${k.t}>`;
            const entry: readonly [PtValue, PtValue] = [walk(k, depth + 1, `${path}.key`), walk(v, depth + 1, `${path}.${label}`)];
            return entry;
          }),
        };
      case "tensor": {
        const bytes = context.storages.get(value.storage.key);
        if (bytes === undefined) {
          throw ptError("VIR_PT_CORRUPT", context.file, `tensor at ${path} uses storage ${value.storage.key}, which the file does not hold`, {
            field: path,
            storage: value.storage.key,
          });
        }
        let tensor: PtTensor;
        try {
          tensor = materializeTensor(value, bytes, context.littleEndian);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          throw new ViralityError("VIR_PT_LIMIT", `${context.file}: the tensor at ${path} cannot be allocated (${error.message})`, {
            cause: error,
            details: { file: context.file, field: path },
          });
        }
        if (tensor.data.buffer !== bytes.buffer) {
          copied += tensor.data.byteLength;
          if (copied > copyBudget) {
            throw ptError(
              "VIR_PT_LIMIT",
              context.file,
              `tensors up to ${path} need ${copied} bytes of copies from ${storageBytes} bytes of storage ` +
                "(many strided or converted views of the same storage?); the reader stops at twice the storage plus 64 MiB",
              { field: path },
            );
          }
        }
        return tensor;
      }
      case "global":
        if (value.role.kind === "torch_dtype") return { kind: "dtype", name: value.role.name };
        throw ptError("VIR_PT_UNSUPPORTED", context.file, `the value at ${path} is the bare global ${value.module}.${value.name}`, { field: path });
      case "storage":
        throw ptError("VIR_PT_UNSUPPORTED", context.file, `the value at ${path} is a bare storage; save tensors instead`, { field: path });
    }
  };

  return walk(root, 0, "$");
}
