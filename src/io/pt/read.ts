import { ViralityError } from "../../errors.js";
import { ptError } from "./fail.js";
import { readLegacyPt } from "./legacy-format.js";
import { resolveOptions } from "./options.js";
import { bufferSource, fileSource, type ByteSource } from "./source.js";
import type { PtFile, PtReadOptions } from "./types.js";
import { readZipPt } from "./zip-format.js";

/**
 * Reads a torch.save file (zip format, or the legacy pre-1.6 format) without executing anything in it.
 * Storages are read straight into buffers of their own, so the tensors' data is zero-copy for the usual
 * contiguous little-endian case. Every failure is a ViralityError naming the file (VIR_PT_*).
 */
export async function readPt(path: string, options?: PtReadOptions): Promise<PtFile> {
  let source: ByteSource;
  try {
    source = await fileSource(path);
  } catch (error) {
    if (error instanceof ViralityError) throw error;
    throw new ViralityError("VIR_PT_UNREADABLE", `${path}: cannot be opened (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
      details: { file: path },
    });
  }
  try {
    return await readFromSource(source, options);
  } finally {
    await source.close();
  }
}

/**
 * Reads a torch.save file already in memory; `name` names it in errors. Tensor data may be views into
 * `bytes` (zero copy): keep `bytes` unchanged while the result is in use.
 */
export function readPtBuffer(bytes: Uint8Array, name: string, options?: PtReadOptions): Promise<PtFile> {
  // A plain Uint8Array view: Buffer's slice() shares memory, and copies must really copy.
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readFromSource(bufferSource(plain, name), options);
}

async function readFromSource(source: ByteSource, options?: PtReadOptions): Promise<PtFile> {
  const resolved = resolveOptions(options);
  const head = await source.read(0, Math.min(4, source.size));
  if (head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return readZipPt(source, resolved);
  }
  if (head[0] === 0x80) {
    return readLegacyPt(await source.read(0, source.size), source.name, resolved);
  }
  const shown = [...head].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw ptError(
    "VIR_PT_NOT_TORCH",
    source.name,
    `is not a torch.save file: it starts with bytes [${shown}], neither a zip archive (torch ≥ 1.6) nor a pickle (legacy format). ` +
      "Save it with torch.save(obj, path)",
    { offset: 0 },
  );
}
