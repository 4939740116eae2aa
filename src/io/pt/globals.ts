import { STORAGE_CLASS_DTYPE, TORCH_DTYPE_NAMES } from "./dtypes.js";
import { vmError, type VmPlace } from "./vm-place.js";
import { pyInt, aTypeName, type GlobalRole, type Pv, type PvDict, type PvGlobal, type PvTensor } from "./pickle-values.js";
import { dictKey } from "./pickle-keys.js";

/**
 * The allowlist: the only globals a pickle may name, and what calling each one means. Nothing is looked
 * up dynamically and nothing from the file is executed; each allowed name is implemented here as a pure
 * data transformation (torch's own weights_only unpickler allows a superset of these).
 */

const TORCH_UTILS: ReadonlyMap<string, GlobalRole> = new Map<string, GlobalRole>([
  ["_rebuild_tensor_v2", { kind: "rebuild_tensor_v2" }],
  ["_rebuild_tensor", { kind: "rebuild_tensor" }],
  ["_rebuild_parameter", { kind: "rebuild_parameter" }],
  ["_rebuild_parameter_with_state", { kind: "rebuild_parameter_with_state" }],
]);

function roleOf(module: string, name: string): GlobalRole | undefined {
  if (module === "torch._utils") return TORCH_UTILS.get(name);
  if (module === "collections" && name === "OrderedDict") return { kind: "ordered_dict" };
  if (module === "_codecs" && name === "encode") return { kind: "codecs_encode" };
  if (module === "torch") {
    if (name === "Size") return { kind: "torch_size" };
    const dtype = STORAGE_CLASS_DTYPE.get(name);
    if (dtype !== undefined) return { kind: "storage_class", dtype };
    if (TORCH_DTYPE_NAMES.has(name)) return { kind: "torch_dtype", name };
  }
  return undefined;
}

/** Resolves GLOBAL / STACK_GLOBAL / INST names: an allowlisted name, or VIR_PT_FORBIDDEN_GLOBAL. */
export function resolveGlobal(module: string, name: string, place: VmPlace): PvGlobal {
  const role = roleOf(module, name);
  if (role === undefined) {
    throw vmError(
      "VIR_PT_FORBIDDEN_GLOBAL",
      place,
      `the pickle names the global ${module}.${name}, which is not on the allowlist (tensors, storages, OrderedDict, torch.Size); ` +
        "it was refused and nothing was executed. Only load files from a source you trust, or re-save them as plain tensors and dicts",
      { global: `${module}.${name}` },
    );
  }
  return { t: "global", module, name, role };
}

/** REDUCE (and NEWOBJ) of an allowlisted global with its argument tuple. */
export function callGlobal(callee: PvGlobal, args: readonly Pv[], place: VmPlace): Pv {
  const role = callee.role;
  switch (role.kind) {
    case "rebuild_tensor_v2":
      if (args.length < 6 || args.length > 7) throw arity(callee, "6 or 7", args.length, place);
      return rebuildTensor(args, place, bool(args[4], "requires_grad", place));
    case "rebuild_tensor":
      if (args.length !== 4) throw arity(callee, "4", args.length, place);
      return rebuildTensor(args, place, false);
    case "rebuild_parameter":
    case "rebuild_parameter_with_state": {
      const wanted = role.kind === "rebuild_parameter" ? 3 : 4;
      if (args.length !== wanted) throw arity(callee, String(wanted), args.length, place);
      const data = args[0];
      if (data?.t !== "tensor") throw vmError("VIR_PT_CORRUPT", place, `${callee.name} wraps ${data === undefined ? "nothing" : aTypeName(data)}, not a tensor`);
      return { ...data, parameter: true, requiresGrad: bool(args[1], "requires_grad", place) };
    }
    case "ordered_dict":
      return orderedDict(args, place);
    case "torch_size": {
      const dims = args[0];
      if (args.length !== 1 || dims === undefined || (dims.t !== "tuple" && dims.t !== "list")) {
        throw vmError("VIR_PT_CORRUPT", place, "torch.Size is called without a tuple of ints");
      }
      return { t: "tuple", items: dims.items.map((d) => pyInt(BigInt(index(d, "torch.Size dimension", place)))) };
    }
    case "codecs_encode":
      return latin1Bytes(args, place);
    case "storage_class":
    case "torch_dtype":
      throw vmError("VIR_PT_UNSUPPORTED", place, `the pickle calls ${callee.module}.${callee.name}, which torch.save never does`);
  }
}

function arity(callee: PvGlobal, wanted: string, got: number, place: VmPlace): Error {
  return vmError("VIR_PT_CORRUPT", place, `${callee.module}.${callee.name} takes ${wanted} arguments, the pickle gives ${got}`);
}

function bool(value: Pv | undefined, what: string, place: VmPlace): boolean {
  if (value?.t === "bool") return value.v;
  if (value?.t === "int" && (value.v === 0 || value.v === 1)) return value.v === 1;
  throw vmError("VIR_PT_CORRUPT", place, `${what} is ${value === undefined ? "nothing" : aTypeName(value)}, not a bool`);
}

/** A non-negative safe integer (shape, stride, offset, numel). Beyond maxElements it is a VIR_PT_LIMIT. */
export function index(value: Pv | undefined, what: string, place: VmPlace): number {
  if (value?.t !== "int") throw vmError("VIR_PT_CORRUPT", place, `${what} is ${value === undefined ? "nothing" : aTypeName(value)}, not an int`, { field: what });
  if (value.v < 0) throw vmError("VIR_PT_CORRUPT", place, `${what} is negative (${value.v})`, { field: what });
  if (typeof value.v === "bigint" || value.v > place.maxElements) {
    throw vmError("VIR_PT_LIMIT", place, `${what} is ${value.v}, beyond the reader's limit of ${place.maxElements} elements`, {
      field: what,
    });
  }
  return value.v;
}

function ints(value: Pv | undefined, what: string, place: VmPlace): number[] {
  if (value?.t !== "tuple" && value?.t !== "list") {
    throw vmError("VIR_PT_CORRUPT", place, `${what} is ${value === undefined ? "nothing" : aTypeName(value)}, not a tuple of ints`, { field: what });
  }
  if (value.items.length > MAX_DIMS) {
    throw vmError("VIR_PT_LIMIT", place, `${what} has ${value.items.length} dimensions; the limit is ${MAX_DIMS}`, { field: what });
  }
  return value.items.map((item, i) => index(item, `${what}[${i}]`, place));
}

/** torch allows at most 64 dimensions. */
const MAX_DIMS = 64;

function rebuildTensor(args: readonly Pv[], place: VmPlace, requiresGrad: boolean): PvTensor {
  const storage = args[0];
  if (storage?.t !== "storage") {
    throw vmError("VIR_PT_CORRUPT", place, `a tensor is rebuilt from ${storage === undefined ? "nothing" : aTypeName(storage)}, not a storage`);
  }
  const storageOffset = index(args[1], "storage_offset", place);
  const shape = ints(args[2], "size", place);
  const strides = ints(args[3], "stride", place);
  if (shape.length !== strides.length) {
    throw vmError("VIR_PT_CORRUPT", place, `a tensor has ${shape.length} sizes but ${strides.length} strides`);
  }
  let numel = shape.includes(0) ? 0 : 1;
  for (const size of shape) numel = Math.min(numel * size, Number.MAX_SAFE_INTEGER);
  if (numel > place.maxElements) {
    throw vmError("VIR_PT_LIMIT", place, `a tensor of shape [${shape.join(", ")}] declares ${numel} elements, beyond the reader's limit of ${place.maxElements}`, {
      field: "size",
    });
  }
  let extent = 0;
  if (numel > 0) {
    extent = storageOffset + 1;
    for (let d = 0; d < shape.length; d++) extent += ((shape[d] ?? 1) - 1) * (strides[d] ?? 0);
  }
  if (extent > storage.numel || storageOffset > storage.numel) {
    throw vmError(
      "VIR_PT_CORRUPT",
      place,
      `a tensor of shape [${shape.join(", ")}], strides [${strides.join(", ")}] at offset ${storageOffset} needs ${extent} elements ` +
        `but its storage ${storage.key} holds ${storage.numel}`,
      { field: "size", storage: storage.key },
    );
  }
  return { t: "tensor", storage, storageOffset, shape, strides, numel, requiresGrad, parameter: false };
}

function orderedDict(args: readonly Pv[], place: VmPlace): PvDict {
  const dict: PvDict = { t: "dict", ordered: true, map: new Map() };
  if (args.length === 0) return dict;
  const source = args[0];
  if (args.length !== 1 || source === undefined) throw vmError("VIR_PT_UNSUPPORTED", place, "OrderedDict is called with more than one argument");
  if (source.t === "dict") {
    for (const [k, entry] of source.map) dict.map.set(k, entry);
    return dict;
  }
  if (source.t !== "list" && source.t !== "tuple") {
    throw vmError("VIR_PT_UNSUPPORTED", place, `OrderedDict is built from ${aTypeName(source)}`);
  }
  for (const pair of source.items) {
    if (pair.t !== "tuple" || pair.items.length !== 2) throw vmError("VIR_PT_CORRUPT", place, "OrderedDict is built from something other than pairs");
    const [key, value] = pair.items;
    if (key === undefined || value === undefined) throw vmError("VIR_PT_CORRUPT", place, "OrderedDict pair is incomplete");
    dict.map.set(dictKey(key, place), [key, value]);
  }
  return dict;
}

/** `_codecs.encode(text, "latin1")`: how protocol 2 pickles Python 3 bytes. */
function latin1Bytes(args: readonly Pv[], place: VmPlace): Pv {
  const [text, encoding] = args;
  if (args.length !== 2 || text?.t !== "str" || encoding?.t !== "str" || !["latin1", "latin-1", "iso-8859-1"].includes(encoding.v.toLowerCase())) {
    throw vmError("VIR_PT_UNSUPPORTED", place, "_codecs.encode is only read as encode(str, 'latin1'), the way pickle writes bytes");
  }
  const out = new Uint8Array(text.v.length);
  for (let i = 0; i < text.v.length; i++) {
    const code = text.v.charCodeAt(i);
    if (code > 0xff) throw vmError("VIR_PT_CORRUPT", place, "_codecs.encode latin1 text has a character beyond U+00FF");
    out[i] = code;
  }
  return { t: "bytes", v: out };
}
