import { open, type FileHandle } from "node:fs/promises";
import { ViralityError } from "../../errors.js";
import { ptError } from "./fail.js";

/**
 * Random access to the bytes of a .pt file, either a Buffer already in memory or a file on disk.
 * Every read is bounds-checked against the real size before anything is allocated.
 */
export interface ByteSource {
  /** Names the file in error messages. */
  readonly name: string;
  readonly size: number;
  /**
   * Bytes [offset, offset + length). From a buffer source this is a view (zero copy, any alignment);
   * from a file it is a fresh buffer of its own (aligned for every typed array).
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw ptError(
      "VIR_PT_CORRUPT",
      name,
      `needs bytes ${offset}..${offset + length} but the file has ${size}: it is truncated or a size in it is wrong`,
      { offset, length, size },
    );
  }
}

export function bufferSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    read(offset, length) {
      checkRange(name, bytes.byteLength, offset, length);
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
    close() {
      return Promise.resolve();
    },
  };
}

/** A fresh buffer, or VIR_PT_LIMIT when the machine cannot give that much memory. */
export function allocate(file: string, length: number): Uint8Array {
  try {
    return new Uint8Array(new ArrayBuffer(length));
  } catch (error) {
    throw new ViralityError("VIR_PT_LIMIT", `${file}: cannot allocate ${length} bytes for it (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
      details: { file, length },
    });
  }
}

/** Reads at most this much per read(2) call (Node refuses more than 2 GiB at once). */
const MAX_CHUNK = 1 << 30;

export async function fileSource(path: string): Promise<ByteSource> {
  const handle: FileHandle = await open(path, "r");
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw ptError("VIR_PT_UNREADABLE", path, "is not a regular file (a directory or a device?); give the path of a .pt file", {});
    }
    const size = stats.size;
    return {
      name: path,
      size,
      async read(offset, length) {
        checkRange(path, size, offset, length);
        const out = allocate(path, length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, Math.min(MAX_CHUNK, length - done), offset + done);
          if (bytesRead === 0) {
            throw ptError("VIR_PT_CORRUPT", path, `the file shrank while being read (at byte ${offset + done})`, {
              offset: offset + done,
            });
          }
          done += bytesRead;
        }
        return out;
      },
      close() {
        return handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
