import { toPtValue } from "./convert.js";
import { ptError } from "./fail.js";
import { runPickle } from "./pickle.js";
import type { ByteSource } from "./source.js";
import { StorageTable } from "./storage-table.js";
import type { PtFile } from "./types.js";
import { readZipDirectory, readZipEntry, type ZipEntry } from "./zip.js";
import type { ResolvedOptions } from "./options.js";

/** data.pkl and the small records are read whole; beyond this they are refused. */
const MAX_RECORD_BYTES = 1 << 30;

/**
 * The torch ≥ 1.6 format: a zip whose entries sit in one folder (`<archive>/`): `data.pkl` (the pickle),
 * `byteorder` ("little" or "big"; absent in old files, meaning little), `data/<key>` (one entry per
 * storage, raw elements), `version`, `.format_version`, `.storage_alignment`, `.data/serialization_id`.
 */
export async function readZipPt(source: ByteSource, options: ResolvedOptions): Promise<PtFile> {
  const entries = await readZipDirectory(source);
  const pickleEntry = findDataPkl(source, entries);
  const archiveName = pickleEntry.name.slice(0, -"/data.pkl".length);
  const small = { verifyCrc: true, maxSize: MAX_RECORD_BYTES };
  const pickleBytes = await readZipEntry(source, pickleEntry, small);

  const byteOrderEntry = entries.get(`${archiveName}/byteorder`);
  let byteOrder: "little" | "big" = "little";
  if (byteOrderEntry !== undefined) {
    const text = new TextDecoder("latin1").decode(await readZipEntry(source, byteOrderEntry, { verifyCrc: true, maxSize: 16 })).trim();
    if (text !== "little" && text !== "big") {
      throw ptError("VIR_PT_CORRUPT", source.name, `${byteOrderEntry.name} says "${text.slice(0, 16)}", neither "little" nor "big"`, {
        entry: byteOrderEntry.name,
      });
    }
    byteOrder = text;
  }

  const table = new StorageTable();
  const { value } = runPickle({
    file: source.name,
    record: pickleEntry.name,
    bytes: pickleBytes,
    start: 0,
    maxElements: options.maxElements,
    persistentLoad: (pid, place) => table.load(pid, place),
  });

  // Every declared size is checked against the directory before any storage is read.
  const planned: [string, ZipEntry][] = [];
  for (const declaration of table.declarations) {
    const name = `${archiveName}/data/${declaration.key}`;
    const entry = entries.get(name);
    if (entry === undefined) {
      throw ptError("VIR_PT_CORRUPT", source.name, `the pickle names storage ${declaration.key} but the archive has no entry ${name}`, {
        entry: name,
      });
    }
    if (entry.size < declaration.bytes) {
      throw ptError(
        "VIR_PT_CORRUPT",
        source.name,
        `storage ${name} holds ${entry.size} bytes but the pickle declares ${declaration.bytes} ` +
          `(${declaration.numel} × ${declaration.dtype}); the file is damaged`,
        { entry: name, size: entry.size, declared: declaration.bytes },
      );
    }
    planned.push([declaration.key, entry]);
  }
  const storages = new Map<string, Uint8Array>();
  const storageRead = { verifyCrc: options.verifyStorageCrc, maxSize: options.maxElements * 8 };
  for (const [key, entry] of planned) storages.set(key, await readZipEntry(source, entry, storageRead));

  const root = toPtValue(value, { file: source.name, maxDepth: options.maxDepth, littleEndian: byteOrder === "little", storages });
  return { format: "zip", archiveName, byteOrder, root };
}

function findDataPkl(source: ByteSource, entries: ReadonlyMap<string, ZipEntry>): ZipEntry {
  for (const entry of entries.values()) {
    const slash = entry.name.indexOf("/");
    if (slash > 0 && entry.name.slice(slash) === "/data.pkl") return entry;
  }
  throw ptError("VIR_PT_CORRUPT", source.name, "the zip has no <archive>/data.pkl entry, so it is not a torch.save file", {});
}
