import { toPtValue } from "./convert.js";
import { ITEM_SIZE } from "./dtypes.js";
import { ptError } from "./fail.js";
import type { ResolvedOptions } from "./options.js";
import { runPickle } from "./pickle.js";
import type { Pv } from "./pickle-values.js";
import { StorageTable } from "./storage-table.js";
import type { PtFile } from "./types.js";
import { vmError, type VmPlace } from "./vm-place.js";

/** The first pickle of a legacy torch.save file holds this number. */
const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/**
 * The pre-1.6 format: five pickles back to back (magic number, protocol version 1001, sys_info, the
 * object, the list of storage keys), then each storage in that order as an 8-byte element count
 * followed by its raw elements.
 */
export function readLegacyPt(bytes: Uint8Array, file: string, options: ResolvedOptions): PtFile {
  const noPersistentIds = (_pid: Pv, place: VmPlace): Pv => {
    throw vmError("VIR_PT_CORRUPT", place, "a persistent id outside the main pickle");
  };
  const pickle = (record: string, start: number, persistentLoad = noPersistentIds) =>
    runPickle({ file, record, bytes, start, maxElements: options.maxElements, persistentLoad });

  const magic = pickle("legacy magic-number pickle", 0);
  if (magic.value.t !== "int" || BigInt(magic.value.v) !== MAGIC_NUMBER) {
    throw ptError("VIR_PT_NOT_TORCH", file, "the file is a pickle but not a torch.save file (its first value is not torch's magic number)", {
      offset: 0,
    });
  }
  const protocol = pickle("legacy protocol pickle", magic.end);
  if (protocol.value.t !== "int" || protocol.value.v !== PROTOCOL_VERSION) {
    throw ptError("VIR_PT_UNSUPPORTED", file, `legacy protocol version ${protocol.value.t === "int" ? String(protocol.value.v) : protocol.value.t} is not ${PROTOCOL_VERSION}`, {
      offset: magic.end,
    });
  }
  const sysInfo = pickle("legacy sys_info pickle", protocol.end);
  const littleEndian = readLittleEndian(sysInfo.value);

  const table = new StorageTable();
  const main = pickle("legacy main pickle", sysInfo.end, (pid, place) => table.load(pid, place));
  const keysPickle = pickle("legacy storage-keys pickle", main.end);
  const keys = keysPickle.value;
  if (keys.t !== "list" || !keys.items.every((k) => k.t === "str")) {
    throw ptError("VIR_PT_CORRUPT", file, "the storage-keys pickle is not a list of strings", { offset: main.end });
  }

  const declared = new Map(table.declarations.map((d) => [d.key, d]));
  const storages = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keysPickle.end;
  for (const keyValue of keys.items) {
    const key = keyValue.t === "str" ? keyValue.v : "";
    const declaration = declared.get(key);
    if (declaration === undefined) {
      throw ptError("VIR_PT_CORRUPT", file, `storage ${key} is listed but no tensor names it, so its element size is unknown`, { offset: at });
    }
    if (at + 8 > bytes.length) {
      throw ptError("VIR_PT_CORRUPT", file, `storage ${key}'s element count at byte ${at} is past the end of the file (truncated)`, { offset: at });
    }
    const count = view.getBigInt64(at, littleEndian);
    const itemSize = ITEM_SIZE[declaration.dtype];
    const left = bytes.length - at - 8;
    if (count < 0n || count * BigInt(itemSize) > BigInt(left)) {
      throw ptError("VIR_PT_LIMIT", file, `storage ${key} at byte ${at} declares ${count} elements of ${itemSize} bytes but only ${left} bytes are left`, {
        offset: at,
        storage: key,
      });
    }
    const size = Number(count) * itemSize;
    if (size < declaration.bytes) {
      throw ptError("VIR_PT_CORRUPT", file, `storage ${key} at byte ${at} holds ${size} bytes but the pickle declares ${declaration.bytes}`, {
        offset: at,
        storage: key,
      });
    }
    storages.set(key, bytes.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  const root = toPtValue(main.value, { file, maxDepth: options.maxDepth, littleEndian, storages });
  return { format: "legacy", archiveName: "", byteOrder: littleEndian ? "little" : "big", root };
}

function readLittleEndian(sysInfo: Pv): boolean {
  if (sysInfo.t !== "dict") return true;
  for (const [key, value] of sysInfo.map.values()) {
    if (key.t === "str" && key.v === "little_endian" && value.t === "bool") return value.v;
  }
  return true;
}
