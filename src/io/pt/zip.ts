import { inflateRawSync } from "node:zlib";
import { crc32 } from "./crc32.js";
import { ptError } from "./fail.js";
import type { ByteSource } from "./source.js";

/**
 * The zip reading torch.save files need: the central directory (zip64 included), STORED entries read
 * straight from the source (zero copy from a buffer) and DEFLATE entries inflated with node:zlib.
 * Only the central directory is trusted for sizes (torch writes data descriptors, and zeros in the
 * local headers); every size and offset is checked against the file before it is used.
 */

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
/** Compressed entries inflate to at most this much: their declared size cannot be checked against the file. */
const MAX_INFLATED_BYTES = 1 << 30;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(dv: DataView, at: number, source: ByteSource, what: string): number {
  const value = dv.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw ptError("VIR_PT_LIMIT", source.name, `the zip64 ${what} ${value} is beyond what this reader addresses`, {
      field: what,
    });
  }
  return Number(value);
}

function corrupt(source: ByteSource, message: string, offset: number): never {
  throw ptError("VIR_PT_CORRUPT", source.name, `${message} (at byte ${offset}); the zip archive is damaged or truncated`, {
    offset,
  });
}

interface DirectoryLocation {
  readonly count: number;
  readonly offset: number;
  readonly size: number;
}

async function locateDirectory(source: ByteSource): Promise<DirectoryLocation> {
  const tailLength = Math.min(source.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  const dv = view(tail);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (dv.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + dv.getUint16(i + 20, true) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) corrupt(source, "no end-of-central-directory record", source.size);
  let count = dv.getUint16(eocd + 10, true);
  let size = dv.getUint32(eocd + 12, true);
  let offset = dv.getUint32(eocd + 16, true);
  const eocdAbsolute = tailStart + eocd;
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locatorAt = eocd - 20;
    if (locatorAt < 0 || dv.getUint32(locatorAt, true) !== SIG_ZIP64_LOCATOR) {
      corrupt(source, "a zip64 archive without its zip64 locator", eocdAbsolute);
    }
    const zip64At = u64(dv, locatorAt + 8, source, "end-of-directory offset");
    if (zip64At + 56 > tailStart + locatorAt) corrupt(source, "the zip64 end record points past the file", zip64At);
    const record = view(await source.read(zip64At, 56));
    if (record.getUint32(0, true) !== SIG_ZIP64_EOCD) corrupt(source, "no zip64 end-of-central-directory record", zip64At);
    count = u64(record, 32, source, "entry count");
    size = u64(record, 40, source, "central directory size");
    offset = u64(record, 48, source, "central directory offset");
  }
  if (offset + size > eocdAbsolute) corrupt(source, "the central directory runs past its end record", offset);
  if (count * 46 > size) corrupt(source, `the central directory is too small for ${count} entries`, offset);
  return { count, offset, size };
}

/** Reads the central directory: every entry by name. Duplicate names are refused (ambiguous input). */
export async function readZipDirectory(source: ByteSource): Promise<Map<string, ZipEntry>> {
  const location = await locateDirectory(source);
  const directory = await source.read(location.offset, location.size);
  const dv = view(directory);
  const utf8 = new TextDecoder("utf-8");
  const latin1 = new TextDecoder("latin1");
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let index = 0; index < location.count; index++) {
    const absolute = location.offset + at;
    if (at + 46 > directory.length) corrupt(source, `central directory entry ${index} is cut short`, absolute);
    if (dv.getUint32(at, true) !== SIG_CENTRAL) corrupt(source, `central directory entry ${index} has a bad signature`, absolute);
    const flags = dv.getUint16(at + 8, true);
    const method = dv.getUint16(at + 10, true);
    const crc = dv.getUint32(at + 16, true);
    let compressedSize = dv.getUint32(at + 20, true);
    let size = dv.getUint32(at + 24, true);
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    let localHeaderOffset = dv.getUint32(at + 42, true);
    const nameStart = at + 46;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > directory.length) corrupt(source, `central directory entry ${index} runs past the directory`, absolute);
    const name = (flags & 0x800 ? utf8 : latin1).decode(directory.subarray(nameStart, extraStart));
    if (flags & 0x1) {
      throw ptError("VIR_PT_UNSUPPORTED", source.name, `zip entry ${name} is encrypted; torch never writes that`, {
        entry: name,
      });
    }
    // zip64 extended information: only the fields whose 32-bit slot is saturated, in this order.
    for (let e = extraStart; e + 4 <= extraStart + extraLength; ) {
      const tag = dv.getUint16(e, true);
      const length = dv.getUint16(e + 2, true);
      if (e + 4 + length > extraStart + extraLength) corrupt(source, `entry ${name} has a bad extra field`, location.offset + e);
      if (tag === 0x0001) {
        let f = e + 4;
        const take = (): number => {
          if (f + 8 > e + 4 + length) corrupt(source, `entry ${name} has a short zip64 field`, location.offset + f);
          const value = u64(dv, f, source, `size of ${name}`);
          f += 8;
          return value;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + length;
    }
    if (entries.has(name)) corrupt(source, `the zip names the entry ${name} twice`, absolute);
    if (localHeaderOffset + 30 + compressedSize > location.offset) {
      corrupt(source, `entry ${name} (${compressedSize} bytes at ${localHeaderOffset}) overlaps the central directory`, absolute);
    }
    entries.set(name, { name, method, crc32: crc, compressedSize, size, localHeaderOffset });
    at = next;
  }
  return entries;
}

export interface EntryReadOptions {
  /** Check the CRC-32 of the entry's bytes against the directory. */
  readonly verifyCrc: boolean;
  /** Refuse (VIR_PT_LIMIT) an entry whose uncompressed size is larger than this. */
  readonly maxSize: number;
}

/**
 * The uncompressed bytes of one entry. A STORED entry read from a buffer source is a view into it;
 * callers that need alignment must check `byteOffset` themselves.
 */
export async function readZipEntry(source: ByteSource, entry: ZipEntry, options: EntryReadOptions): Promise<Uint8Array> {
  if (entry.size > options.maxSize) {
    throw ptError(
      "VIR_PT_LIMIT",
      source.name,
      `zip entry ${entry.name} declares ${entry.size} bytes, more than the ${options.maxSize} this reader accepts for it`,
      { entry: entry.name, size: entry.size },
    );
  }
  const local = view(await source.read(entry.localHeaderOffset, 30));
  if (local.getUint32(0, true) !== SIG_LOCAL) corrupt(source, `entry ${entry.name} has no local header`, entry.localHeaderOffset);
  const dataOffset = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataOffset + entry.compressedSize > source.size) {
    corrupt(source, `entry ${entry.name} needs ${entry.compressedSize} bytes at ${dataOffset}, past the end of the file`, dataOffset);
  }
  let bytes: Uint8Array;
  if (entry.method === METHOD_STORED) {
    if (entry.compressedSize !== entry.size) {
      corrupt(source, `stored entry ${entry.name} has sizes ${entry.compressedSize} and ${entry.size}`, entry.localHeaderOffset);
    }
    bytes = await source.read(dataOffset, entry.size);
  } else if (entry.method === METHOD_DEFLATE) {
    if (entry.size > MAX_INFLATED_BYTES) {
      throw ptError(
        "VIR_PT_LIMIT",
        source.name,
        `zip entry ${entry.name} is compressed and declares ${entry.size} bytes; compressed entries are read up to ` +
          `${MAX_INFLATED_BYTES} bytes (a zip bomb guard). torch.save writes uncompressed entries: re-save the file with torch`,
        { entry: entry.name, size: entry.size },
      );
    }
    const compressed = await source.read(dataOffset, entry.compressedSize);
    bytes = inflateEntry(source, entry, compressed, dataOffset);
  } else {
    throw ptError("VIR_PT_UNSUPPORTED", source.name, `zip entry ${entry.name} uses compression method ${entry.method}; only stored and deflate are read`, {
      entry: entry.name,
      method: entry.method,
    });
  }
  if (options.verifyCrc && crc32(bytes) !== entry.crc32) {
    corrupt(source, `entry ${entry.name} fails its CRC-32 check`, dataOffset);
  }
  return bytes;
}

function inflateEntry(source: ByteSource, entry: ZipEntry, compressed: Uint8Array, dataOffset: number): Uint8Array {
  let out: Buffer;
  try {
    // maxOutputLength bounds memory whatever the stream claims (a zip bomb stops at the declared size + 1).
    out = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.size + 1) });
  } catch (error) {
    throw ptError("VIR_PT_CORRUPT", source.name, `entry ${entry.name} does not inflate (${error instanceof Error ? error.message : String(error)})`, {
      entry: entry.name,
      offset: dataOffset,
    });
  }
  if (out.length !== entry.size) corrupt(source, `entry ${entry.name} inflates to ${out.length} bytes, not the declared ${entry.size}`, dataOffset);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
