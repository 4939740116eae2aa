import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { deflateRawSync } from "node:zlib";
import { crc32 } from "./crc32.js";

/**
 * Writes a zip the way torch.save does: STORED entries (DEFLATE on request), each entry's data aligned to 64 bytes by padding
 * the local header's extra field (torch's "FB" field), zip64 records when a size or offset needs them.
 * The file is written beside its destination and renamed into place, so readers never see half a file.
 */

export interface ZipRecord {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** DEFLATE this entry (torch never does; readers must still cope, so tests use it). */
  readonly deflate?: boolean;
}

const ALIGNMENT = 64;
/** Node writes at most 2 GiB per call. */
const MAX_CHUNK = 1 << 30;
const U32_MAX = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_UTF8 = 0x0800;
const encoder = new TextEncoder();

interface Written {
  readonly name: Uint8Array;
  readonly method: number;
  readonly crc: number;
  readonly size: number;
  readonly compressedSize: number;
  readonly offset: number;
}

export interface ZipWriteOptions {
  /**
   * Sizes and offsets from this value on go into zip64 records (default 0xFFFFFFFF, where the zip format
   * needs them). Tests lower it to exercise the zip64 records without writing 4 GiB.
   */
  readonly zip64From?: number;
}

export async function writeZip(path: string, records: readonly ZipRecord[], options: ZipWriteOptions = {}): Promise<void> {
  const limit = options.zip64From ?? U32_MAX;
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.partial`;
  const handle = await open(temporary, "w");
  let renamed = false;
  try {
    let position = 0;
    const write = async (bytes: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.length - done, MAX_CHUNK), position + done);
        done += bytesWritten;
      }
      position += bytes.length;
    };
    const written: Written[] = [];
    for (const record of records) {
      const stored = record.deflate === true ? deflateRawSync(record.bytes) : record.bytes;
      const entry: Written = {
        name: encoder.encode(record.name),
        method: record.deflate === true ? METHOD_DEFLATE : METHOD_STORED,
        crc: crc32(record.bytes),
        size: record.bytes.length,
        compressedSize: stored.length,
        offset: position,
      };
      written.push(entry);
      await write(localHeader(entry, limit));
      await write(stored);
    }
    const directoryOffset = position;
    for (const entry of written) await write(centralHeader(entry, limit));
    await write(endRecords(written.length, directoryOffset, position - directoryOffset, position, limit));
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
    }
  }
}

function localHeader(entry: Written, limit: number): Uint8Array {
  const { name, crc, size, compressedSize, offset } = entry;
  const zip64 = size >= limit || compressedSize >= limit;
  const zip64Extra = zip64 ? 20 : 0;
  const unpadded = offset + 30 + name.length + zip64Extra + 4;
  const padding = (ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT;
  const extraLength = zip64Extra + 4 + padding;
  const out = new Uint8Array(30 + name.length + extraLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x04034b50, true);
  dv.setUint16(4, zip64 ? 45 : 20, true);
  dv.setUint16(6, FLAG_UTF8, true);
  dv.setUint16(8, entry.method, true);
  dv.setUint32(14, crc, true);
  dv.setUint32(18, zip64 ? U32_MAX : compressedSize, true);
  dv.setUint32(22, zip64 ? U32_MAX : size, true);
  dv.setUint16(26, name.length, true);
  dv.setUint16(28, extraLength, true);
  out.set(name, 30);
  let at = 30 + name.length;
  if (zip64) {
    dv.setUint16(at, 0x0001, true);
    dv.setUint16(at + 2, 16, true);
    dv.setBigUint64(at + 4, BigInt(size), true);
    dv.setBigUint64(at + 12, BigInt(compressedSize), true);
    at += 20;
  }
  dv.setUint16(at, 0x4246, true); // "FB": torch's alignment padding
  dv.setUint16(at + 2, padding, true);
  out.fill(0x5a, at + 4, at + 4 + padding); // 'Z', as torch pads
  return out;
}

function centralHeader(entry: Written, limit: number): Uint8Array {
  const bigSize = entry.size >= limit || entry.compressedSize >= limit;
  const bigOffset = entry.offset >= limit;
  const fields = (bigSize ? 2 : 0) + (bigOffset ? 1 : 0);
  const extraLength = fields > 0 ? 4 + 8 * fields : 0;
  const out = new Uint8Array(46 + entry.name.length + extraLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x02014b50, true);
  dv.setUint16(4, fields > 0 ? 45 : 20, true);
  dv.setUint16(6, fields > 0 ? 45 : 20, true);
  dv.setUint16(8, FLAG_UTF8, true);
  dv.setUint16(10, entry.method, true);
  dv.setUint32(16, entry.crc, true);
  dv.setUint32(20, bigSize ? U32_MAX : entry.compressedSize, true);
  dv.setUint32(24, bigSize ? U32_MAX : entry.size, true);
  dv.setUint16(28, entry.name.length, true);
  dv.setUint16(30, extraLength, true);
  dv.setUint32(42, bigOffset ? U32_MAX : entry.offset, true);
  out.set(entry.name, 46);
  if (fields > 0) {
    let at = 46 + entry.name.length;
    dv.setUint16(at, 0x0001, true);
    dv.setUint16(at + 2, 8 * fields, true);
    at += 4;
    if (bigSize) {
      dv.setBigUint64(at, BigInt(entry.size), true);
      dv.setBigUint64(at + 8, BigInt(entry.compressedSize), true);
      at += 16;
    }
    if (bigOffset) dv.setBigUint64(at, BigInt(entry.offset), true);
  }
  return out;
}

function endRecords(count: number, directoryOffset: number, directorySize: number, position: number, limit: number): Uint8Array {
  const zip64 = directoryOffset >= limit || directorySize >= limit || count >= Math.min(0xffff, limit);
  const out = new Uint8Array((zip64 ? 56 + 20 : 0) + 22);
  const dv = new DataView(out.buffer);
  let at = 0;
  if (zip64) {
    dv.setUint32(0, 0x06064b50, true);
    dv.setBigUint64(4, 44n, true);
    dv.setUint16(12, 45, true);
    dv.setUint16(14, 45, true);
    dv.setBigUint64(24, BigInt(count), true);
    dv.setBigUint64(32, BigInt(count), true);
    dv.setBigUint64(40, BigInt(directorySize), true);
    dv.setBigUint64(48, BigInt(directoryOffset), true);
    dv.setUint32(56, 0x07064b50, true);
    dv.setBigUint64(64, BigInt(position), true);
    dv.setUint32(72, 1, true);
    at = 76;
  }
  dv.setUint32(at, 0x06054b50, true);
  dv.setUint16(at + 8, zip64 ? 0xffff : count, true);
  dv.setUint16(at + 10, zip64 ? 0xffff : count, true);
  dv.setUint32(at + 12, zip64 ? U32_MAX : directorySize, true);
  dv.setUint32(at + 16, zip64 ? U32_MAX : directoryOffset, true);
  return out;
}
