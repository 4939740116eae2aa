/** Shared by the .pt tests: fixture paths, temp files, hand-written pickles and zips, error checks. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isViralityError, type ErrorCode } from "../../src/errors.js";
import { writeZip, type ZipRecord } from "../../src/io/pt/zip-writer.js";
import { dictGet, type PtTensor, type PtValue } from "../../src/io/pt/index.js";

/** The compiled test lives in dist/test/io/: the repository is three folders up. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const sharedPtDir = path.resolve(repoRoot, "../shared/fixtures/pt");
export const fusedDir = path.resolve(repoRoot, "test/fixtures/fused");

export const ptFixture = (name: string): string => path.join(sharedPtDir, name);
export const fusedFixture = (name: string): string => path.join(fusedDir, name);

/** A unique path under the OS temp folder, removed when the test ends. */
export function tempPath(t: { after(fn: () => Promise<void>): void }, name: string): string {
  const file = path.join(tmpdir(), `virality-${process.pid}-${randomBytes(6).toString("hex")}-${name}`);
  t.after(() => rm(file, { force: true }));
  return file;
}

/** Pickle bytes from opcodes (numbers are bytes, strings are UTF-8, arrays are raw bytes). */
export function pickle(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === "number" ? Uint8Array.of(p) : typeof p === "string" ? new TextEncoder().encode(p) : p));
  return Buffer.concat(chunks);
}

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

/** BINUNICODE of a string. */
export function str(value: string): Uint8Array {
  const utf8 = new TextEncoder().encode(value);
  return pickle(0x58, u32(utf8.length), utf8);
}

/** A torch-layout zip (archive/…) in memory, written by the project's zip writer. */
export async function torchZip(records: readonly ZipRecord[]): Promise<Uint8Array> {
  const file = path.join(tmpdir(), `virality-${process.pid}-${randomBytes(6).toString("hex")}.zip`);
  try {
    await writeZip(file, records);
    return new Uint8Array(await readFile(file));
  } finally {
    await rm(file, { force: true });
  }
}

/** The records torch writes around a data.pkl and its storages. */
export function archive(pkl: Uint8Array, storages: Readonly<Record<string, Uint8Array>> = {}, byteorder = "little"): ZipRecord[] {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  return [
    { name: "archive/data.pkl", bytes: pkl },
    { name: "archive/byteorder", bytes: text(byteorder) },
    ...Object.entries(storages).map(([key, bytes]) => ({ name: `archive/data/${key}`, bytes })),
    { name: "archive/version", bytes: text("3\n") },
  ];
}

/** The pickle of {"t": _rebuild_tensor_v2(storage(key, cls, numel), offset, size, stride)}. */
export function tensorPickle(opts: { cls: string; key?: string; numel: number | Uint8Array; offset?: number; size: number[]; stride: number[] }): Uint8Array {
  const int = (v: number | Uint8Array): Uint8Array => (typeof v === "number" ? pickle(0x4a, new Uint8Array(new Int32Array([v]).buffer)) : v);
  const tuple = (values: number[]): Uint8Array => pickle(0x28, ...values.map(int), 0x74);
  return pickle(
    0x80, 2, 0x7d, 0x28, str("t"),
    0x63, "torch._utils\n_rebuild_tensor_v2\n",
    0x28,
    0x28, str("storage"), 0x63, `torch\n${opts.cls}\n`, str(opts.key ?? "0"), str("cpu"), int(opts.numel), 0x74, 0x51,
    int(opts.offset ?? 0), tuple(opts.size), tuple(opts.stride), 0x89,
    0x63, "collections\nOrderedDict\n", 0x29, 0x52,
    0x74, 0x52,
    0x75, 0x2e,
  );
}

/** Asserts that `promise` rejects with a ViralityError of `code` whose message matches every pattern. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isViralityError(error), `expected a ViralityError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

export function get(value: PtValue, ...keys: string[]): PtValue {
  let current = value;
  for (const key of keys) {
    if (current.kind !== "dict") assert.fail(`expected a dict before key ${key}, got a ${current.kind}`);
    const next = dictGet(current, key);
    if (next === undefined) assert.fail(`missing key ${key}`);
    current = next;
  }
  return current;
}

export function tensorAt(value: PtValue, ...keys: string[]): PtTensor {
  const t = get(value, ...keys);
  if (t.kind !== "tensor") assert.fail(`${keys.join(".")} is a ${t.kind}, not a tensor`);
  return t;
}

/** The tensor's elements as JS numbers (bigints converted; they are small in the fixtures). */
export function numbers(t: PtTensor): number[] {
  return Array.from(t.data, (v: number | bigint) => Number(v));
}

export function assertClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i] ?? NaN;
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `[${i}] ${a} is not NaN`);
    else if (!Number.isFinite(e)) assert.equal(a, e, `[${i}]`);
    else assert.ok(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)), `[${i}] ${a} != ${e}`);
  });
}
