import { vmError, type VmPlace } from "./vm-place.js";
import type { Pv } from "./pickle-values.js";

/** Tuples used as dict keys nest at most this deep. */
const MAX_KEY_DEPTH = 100;

/**
 * The canonical form of a hashable Python value, so that keys Python treats as equal (1, 1.0, True)
 * collide here too. Unhashable keys (list, dict) and keys this reader cannot compare (tensors) are refused.
 */
export function dictKey(key: Pv, place: VmPlace): string {
  return JSON.stringify(keyParts(key, place, 0));
}

type KeyPart = string | KeyPart[];

function keyParts(key: Pv, place: VmPlace, depth: number): KeyPart {
  if (depth > MAX_KEY_DEPTH) throw vmError("VIR_PT_LIMIT", place, `a dict key nests tuples deeper than ${MAX_KEY_DEPTH}`);
  switch (key.t) {
    case "none":
      return ["N"];
    case "str":
      return ["s", key.v];
    case "int":
      return ["i", String(key.v)];
    case "bool":
      return ["i", key.v ? "1" : "0"];
    case "float":
      return Number.isInteger(key.v) && Number.isSafeInteger(key.v) ? ["i", String(key.v)] : ["f", String(key.v)];
    case "bytes":
      return ["y", Buffer.from(key.v.buffer, key.v.byteOffset, key.v.byteLength).toString("hex")];
    case "tuple":
      return ["t", ...key.items.map((item) => keyParts(item, place, depth + 1))];
    case "global":
      return ["g", key.module, key.name];
    case "list":
    case "dict":
    case "storage":
    case "tensor":
      throw vmError("VIR_PT_UNSUPPORTED", place, `a dict key is a ${key.t}, which this reader does not take as a key`);
  }
}
