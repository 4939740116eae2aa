// Proves hostile and damaged .pt files end in a typed ViralityError naming the file and where — never a
// crash, a hang, a huge allocation or the execution of anything named in the file.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { readFused } from "../../src/io/fused.js";
import { readPtBuffer } from "../../src/io/pt/index.js";
import { bufferSource } from "../../src/io/pt/source.js";
import { readZipDirectory } from "../../src/io/pt/zip.js";
import { writeZip } from "../../src/io/pt/zip-writer.js";
import { archive, fusedFixture, numbers, pickle, ptFixture, rejectsWith, str, tempPath, tensorAt, tensorPickle, torchZip, u32 } from "./pt-helpers.js";

const sentinel = path.join(tmpdir(), `virality-pwned-${process.pid}`);

/** Pickles that would run a command if they were executed; each must be refused by name. */
const evil: [string, Uint8Array][] = [
  ["os.system", pickle(0x80, 2, 0x63, "os\nsystem\n", str(`touch ${sentinel}`), 0x85, 0x52, 0x2e)],
  ["posix.system", pickle(0x80, 2, 0x63, "posix\nsystem\n", str(`touch ${sentinel}`), 0x85, 0x52, 0x2e)],
  ["builtins.eval", pickle(0x80, 4, 0x8c, 8, "builtins", 0x8c, 4, "eval", 0x93, str(`__import__('os').system('touch ${sentinel}')`), 0x85, 0x52, 0x2e)],
  ["subprocess.Popen", pickle(0x80, 2, 0x69, "subprocess\nPopen\n", 0x2e)],
  ["torch.load", pickle(0x80, 2, 0x63, "torch\nload\n", str(sentinel), 0x85, 0x52, 0x2e)],
  // the forbidden call hidden inside an otherwise normal state dict
  ["builtins.exec", pickle(0x80, 2, 0x7d, 0x28, str("weight"), 0x63, "builtins\nexec\n", str("import os"), 0x85, 0x52, 0x75, 0x2e)],
];

for (const [name, pkl] of evil) {
  test(`a pickle calling ${name} is refused with VIR_PT_FORBIDDEN_GLOBAL and nothing runs (zip and legacy)`, async () => {
    const zipped = await torchZip(archive(pkl));
    const escaped = name.replace(".", "\\.");
    await rejectsWith(readPtBuffer(zipped, "evil.pt"), "VIR_PT_FORBIDDEN_GLOBAL", /evil\.pt/, new RegExp(escaped), /at byte \d+/);
    await rejectsWith(readPtBuffer(pkl, "evil-legacy.pt"), "VIR_PT_FORBIDDEN_GLOBAL", /evil-legacy\.pt/, new RegExp(escaped));
    assert.equal(existsSync(sentinel), false);
  });
}

test("the error for a forbidden global carries the global and the offset in its details", async () => {
  const zipped = await torchZip(archive(evil[0]?.[1] ?? new Uint8Array()));
  await assert.rejects(readPtBuffer(zipped, "evil.pt"), (error: unknown) => {
    assert.ok(error instanceof Error && "details" in error);
    assert.deepEqual(error.details, { file: "evil.pt", record: "archive/data.pkl", offset: 2, global: "os.system" });
    return true;
  });
});

test("readFused of a file with a forbidden global reports the global, not a contract error", async (t) => {
  const file = tempPath(t, "evil-fused.pt");
  await writeFile(file, await torchZip(archive(evil[2]?.[1] ?? new Uint8Array())));
  await rejectsWith(readFused(file), "VIR_PT_FORBIDDEN_GLOBAL", /builtins\.eval/, /evil-fused\.pt/);
});

test("every truncation of a real .pt file is a typed error naming the file", async () => {
  const bytes = await readFile(ptFixture("tensor_2d.pt"));
  for (let length = 0; length < bytes.length; length++) {
    await assert.rejects(readPtBuffer(bytes.subarray(0, length), "cut.pt"), (error: unknown) => {
      assert.ok(error instanceof Error && "code" in error, `length ${length}: ${String(error)}`);
      assert.ok(["VIR_PT_CORRUPT", "VIR_PT_NOT_TORCH", "VIR_PT_LIMIT"].includes(String(error.code)), `length ${length}: ${String(error.code)}`);
      assert.match(error.message, /cut\.pt/);
      return true;
    });
  }
});

test("a truncated legacy file is refused: storage bytes missing", async () => {
  const bytes = await readFile(ptFixture("simple_legacy.pt"));
  await rejectsWith(readPtBuffer(bytes.subarray(0, bytes.length - 4), "cut-legacy.pt"), "VIR_PT_LIMIT", /cut-legacy\.pt/, /declares 2 elements/);
  await rejectsWith(readPtBuffer(bytes.subarray(0, 300), "cut-legacy.pt"), "VIR_PT_CORRUPT", /legacy main pickle at byte \d+/, /truncated/);
});

test("a bit flipped in data.pkl fails its CRC-32 check", async () => {
  const bytes = Buffer.from(await readFile(ptFixture("float32.pt")));
  bytes[64 + 20] ^= 0x04; // data.pkl's data starts at 64 in this file
  await rejectsWith(readPtBuffer(bytes, "flipped.pt"), "VIR_PT_CORRUPT", /flipped\.pt/, /data\.pkl fails its CRC-32 check/);
});

test("a damaged pickle with a valid CRC is refused by the VM with the offset", async () => {
  const cases: [Uint8Array, RegExp][] = [
    [pickle(0x80, 2, 0x2e), /empty stack/],
    [pickle(0x80, 2, 0x7d, 0x30, 0x30, 0x2e), /closes a MARK it never opened/],
    [pickle(0x80, 2, 0x68, 7, 0x2e), /memo 7, which was never stored/],
    [pickle(0x80, 2, 0xff, 0x2e), /unknown pickle opcode 0xff/],
    [pickle(0x80, 2, 0x7d), /ends without a STOP/],
    [pickle(0x80, 2, 0x58, u32(1000), "abc"), /needs 1000 more bytes/],
    [pickle(0x80, 2, 0x4b, 1, 0x4b, 2, 0x61, 0x2e), /APPEND to an int, not a list/],
    [pickle(0x80, 2, 0x58, u32(2), Uint8Array.of(0xc3, 0x28), 0x2e), /not valid UTF-8/],
    [pickle(0x80, 2, 0x65, 0x2e), /closes a MARK it never opened/],
  ];
  for (const [pkl, pattern] of cases) {
    await rejectsWith(readPtBuffer(await torchZip(archive(pkl)), "bad-pickle.pt"), "VIR_PT_CORRUPT", /bad-pickle\.pt: archive\/data\.pkl at byte \d+/, pattern);
  }
});

test("unsupported but harmless pickle features are refused as VIR_PT_UNSUPPORTED", async () => {
  const cases: [Uint8Array, RegExp][] = [
    [pickle(0x80, 4, 0x8f, 0x2e), /set/],
    [pickle(0x80, 2, 0x82, 1, 0x2e), /extension registry/],
    [pickle(0x80, 6, 0x2e), /protocol 6/],
    [pickle(0x80, 2, str("module"), 0x85, 0x51, 0x2e), /not a torch storage id/],
    [pickle(0x80, 2, 0x63, "torch\nFloatStorage\n", 0x29, 0x52, 0x2e), /calls torch\.FloatStorage/],
  ];
  for (const [pkl, pattern] of cases) {
    await rejectsWith(readPtBuffer(await torchZip(archive(pkl)), "odd.pt"), "VIR_PT_UNSUPPORTED", /odd\.pt/, pattern);
  }
});

test("a tensor larger than its storage is refused before reading (shape vs storage numel)", async () => {
  const pkl = tensorPickle({ cls: "FloatStorage", numel: 4, size: [5], stride: [1] });
  const zipped = await torchZip(archive(pkl, { "0": new Uint8Array(16) }));
  await rejectsWith(readPtBuffer(zipped, "short.pt"), "VIR_PT_CORRUPT", /short\.pt/, /needs 5 elements but its storage 0 holds 4/);
  const strided = tensorPickle({ cls: "FloatStorage", numel: 6, size: [2, 3], stride: [3, 2] });
  await rejectsWith(readPtBuffer(await torchZip(archive(strided, { "0": new Uint8Array(24) })), "strided.pt"), "VIR_PT_CORRUPT", /needs 8 elements/);
});

test("a storage entry smaller than its declared numel is refused naming the entry and both sizes", async () => {
  const pkl = tensorPickle({ cls: "FloatStorage", numel: 4, size: [4], stride: [1] });
  const zipped = await torchZip(archive(pkl, { "0": new Uint8Array(12) }));
  await rejectsWith(readPtBuffer(zipped, "small.pt"), "VIR_PT_CORRUPT", /archive\/data\/0 holds 12 bytes but the pickle declares 16/);
  const missing = await torchZip(archive(pkl));
  await rejectsWith(readPtBuffer(missing, "missing.pt"), "VIR_PT_CORRUPT", /no entry archive\/data\/0/);
});

test("a 10^12-element shape or storage is refused with VIR_PT_LIMIT without allocating it", async () => {
  const before = process.memoryUsage().rss;
  const long1e12 = pickle(0x8a, 6, Uint8Array.of(0x00, 0x10, 0xa5, 0xd4, 0xe8, 0x00)); // LONG1 10^12
  const shape = tensorPickle({ cls: "FloatStorage", numel: 4, size: [1_000_000, 1_000_000], stride: [1_000_000, 1] });
  await rejectsWith(readPtBuffer(await torchZip(archive(shape, { "0": new Uint8Array(16) })), "huge.pt"), "VIR_PT_LIMIT", /huge\.pt/, /1000000000000 elements/);
  const storage = tensorPickle({ cls: "FloatStorage", numel: long1e12, size: [4], stride: [1] });
  await rejectsWith(readPtBuffer(await torchZip(archive(storage, { "0": new Uint8Array(16) })), "huge-storage.pt"), "VIR_PT_LIMIT", /storage numel is 1000000000000/);
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, "nothing large was allocated");
});

test("a legacy storage whose element count runs past the file is VIR_PT_LIMIT", async () => {
  const bytes = Buffer.from(await readFile(ptFixture("simple_legacy.pt")));
  bytes.writeBigInt64LE(10n ** 12n, 550); // first storage's element count (see the file's layout)
  await rejectsWith(readPtBuffer(bytes, "legacy-huge.pt"), "VIR_PT_LIMIT", /declares 1000000000000 elements/);
});

test("a container that contains itself is refused, not walked forever", async () => {
  const selfList = pickle(0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e); // l = []; l.append(l)
  await rejectsWith(readPtBuffer(await torchZip(archive(selfList)), "cycle.pt"), "VIR_PT_CORRUPT", /contains itself/);
});

test("deep nesting is a VIR_PT_LIMIT, not a stack overflow", async () => {
  const depth = 20_000;
  const parts: (number | Uint8Array)[] = [0x80, 2];
  for (let i = 0; i < depth; i++) parts.push(0x5d);
  for (let i = 1; i < depth; i++) parts.push(0x61);
  parts.push(0x2e);
  await rejectsWith(readPtBuffer(await torchZip(archive(pickle(...parts))), "deep.pt"), "VIR_PT_LIMIT", /nest deeper than 1000/);
});

test("shared values stay shared: a DAG of 2^60 paths is read in linear time", async () => {
  // x0 = []; x(i+1) = [x(i), x(i)]; 60 levels would be 2^60 nodes if expanded.
  const parts: (number | Uint8Array)[] = [0x80, 2, 0x5d, 0x71, 0];
  for (let i = 1; i <= 60; i++) parts.push(0x68, i - 1, 0x68, i - 1, 0x86, 0x71, i);
  parts.push(0x2e);
  const pt = await readPtBuffer(await torchZip(archive(pickle(...parts))), "dag.pt");
  assert.equal(pt.root.kind, "tuple");
});

test("a zip bomb (entry inflating past its declared size) is refused", async () => {
  const records = archive(pickle(0x80, 2, 0x7d, 0x2e));
  const zipped = Buffer.from(await torchZip(records.map((r) => (r.name === "archive/data.pkl" ? { ...r, bytes: new Uint8Array(1 << 20), deflate: true } : r))));
  // Patch the central directory's uncompressed size of data.pkl (first entry) down to 10 bytes.
  const central = zipped.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zipped.writeUInt32LE(10, central + 24);
  await rejectsWith(readPtBuffer(zipped, "bomb.pt"), "VIR_PT_CORRUPT", /does not inflate|inflates to/);
});

test("deflated entries (which torch never writes) are still read", async () => {
  const pkl = tensorPickle({ cls: "FloatStorage", numel: 3, size: [3], stride: [1] });
  const records = archive(pkl, { "0": new Uint8Array(new Float32Array([1.5, -2, 3]).buffer) }).map((r) => ({ ...r, deflate: true }));
  const pt = await readPtBuffer(await torchZip(records), "deflated.pt");
  assert.deepEqual(numbers(tensorAt(pt.root, "t")), [1.5, -2, 3]);
});

test("byteorder 'big' storages are swapped: float32, int64, float16", async () => {
  const cases: [string, Uint8Array, number[]][] = [
    ["FloatStorage", Uint8Array.of(0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0), [1.5, -2.5]],
    ["LongStorage", Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe), [256, -2]],
    ["HalfStorage", Uint8Array.of(0x3e, 0x00, 0xc1, 0x00), [1.5, -2.5]],
  ];
  for (const [cls, bytes, expected] of cases) {
    const pkl = tensorPickle({ cls, numel: 2, size: [2], stride: [1] });
    const pt = await readPtBuffer(await torchZip(archive(pkl, { "0": bytes }, "big")), "big.pt");
    assert.equal(pt.byteOrder, "big");
    assert.deepEqual(numbers(tensorAt(pt.root, "t")), expected, cls);
  }
  const bad = await torchZip(archive(tensorPickle({ cls: "FloatStorage", numel: 0, size: [0], stride: [1] }), { "0": new Uint8Array(0) }, "middle"));
  await rejectsWith(readPtBuffer(bad, "endian.pt"), "VIR_PT_CORRUPT", /neither "little" nor "big"/);
});

test("an unaligned buffer is copied, not misread: the same values at every byte offset", async () => {
  const bytes = await readFile(ptFixture("float64.pt"));
  for (let shift = 0; shift < 8; shift++) {
    const padded = Buffer.alloc(bytes.length + shift);
    bytes.copy(padded, shift);
    const pt = await readPtBuffer(padded.subarray(shift), "shifted.pt");
    assert.deepEqual(numbers(tensorAt(pt.root, "tensor")), [1.1, 2.2, 3.3], `shift ${shift}`);
  }
});

test("views into one storage share its bytes, honouring offset and strides", async () => {
  // storage = 0..11 (float32); t = storage[2:].as_strided([2, 3], [1, 4]) → [[2, 6, 10], [3, 7, 11]]
  const storage = new Uint8Array(new Float32Array(Array.from({ length: 12 }, (_, i) => i)).buffer);
  const pkl = tensorPickle({ cls: "FloatStorage", numel: 12, offset: 2, size: [2, 3], stride: [1, 4] });
  const pt = await readPtBuffer(await torchZip(archive(pkl, { "0": storage })), "view.pt");
  const t = tensorAt(pt.root, "t");
  assert.deepEqual(numbers(t), [2, 6, 10, 3, 7, 11]);
  assert.deepEqual(t.strides, [1, 4]);
  assert.equal(t.storageOffset, 2);
});

test("a negative storage offset or size is corrupt", async () => {
  const pkl = tensorPickle({ cls: "FloatStorage", numel: 4, offset: -1, size: [2], stride: [1] });
  await rejectsWith(readPtBuffer(await torchZip(archive(pkl, { "0": new Uint8Array(16) })), "neg.pt"), "VIR_PT_CORRUPT", /storage_offset is negative/);
});

test("a zip without data.pkl, or with a duplicated entry, is corrupt", async () => {
  const noPickle = await torchZip([{ name: "archive/version", bytes: Uint8Array.of(0x33) }]);
  await rejectsWith(readPtBuffer(noPickle, "nopkl.pt"), "VIR_PT_CORRUPT", /no <archive>\/data\.pkl/);
  const pkl = pickle(0x80, 2, 0x7d, 0x2e);
  const twice = await torchZip([...archive(pkl), { name: "archive/data.pkl", bytes: pkl }]);
  await rejectsWith(readPtBuffer(twice, "twice.pt"), "VIR_PT_CORRUPT", /names the entry archive\/data\.pkl twice/);
});

/** Rewrites a zip's central directory in zip64 form: every size and offset in a zip64 extra field,
 * 0xFFFFFFFF in the 32-bit slots, a zip64 end record and locator. (Files over 4 GiB look like this.) */
async function toZip64(bytes: Uint8Array): Promise<Uint8Array> {
  const entries = [...(await readZipDirectory(bufferSource(bytes, "plain.zip"))).values()];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directoryOffset = dv.getUint32(bytes.length - 22 + 16, true);
  const headers = entries.map((e) => {
    const name = Buffer.from(e.name, "utf8");
    const out = Buffer.alloc(46 + name.length + 28);
    out.writeUInt32LE(0x02014b50, 0);
    out.writeUInt16LE(45, 4);
    out.writeUInt16LE(45, 6);
    out.writeUInt16LE(0x0800, 8);
    out.writeUInt16LE(e.method, 10);
    out.writeUInt32LE(e.crc32, 16);
    out.writeUInt32LE(0xffffffff, 20);
    out.writeUInt32LE(0xffffffff, 24);
    out.writeUInt16LE(name.length, 28);
    out.writeUInt16LE(28, 30);
    out.writeUInt32LE(0xffffffff, 42);
    name.copy(out, 46);
    const x = 46 + name.length;
    out.writeUInt16LE(0x0001, x);
    out.writeUInt16LE(24, x + 2);
    out.writeBigUInt64LE(BigInt(e.size), x + 4);
    out.writeBigUInt64LE(BigInt(e.compressedSize), x + 12);
    out.writeBigUInt64LE(BigInt(e.localHeaderOffset), x + 20);
    return out;
  });
  const directory = Buffer.concat(headers);
  const end = Buffer.alloc(56 + 20 + 22);
  end.writeUInt32LE(0x06064b50, 0);
  end.writeBigUInt64LE(44n, 4);
  end.writeBigUInt64LE(BigInt(entries.length), 24);
  end.writeBigUInt64LE(BigInt(entries.length), 32);
  end.writeBigUInt64LE(BigInt(directory.length), 40);
  end.writeBigUInt64LE(BigInt(directoryOffset), 48);
  end.writeUInt32LE(0x07064b50, 56);
  end.writeBigUInt64LE(BigInt(directoryOffset + directory.length), 64);
  end.writeUInt32LE(1, 72);
  end.writeUInt32LE(0x06054b50, 76);
  end.writeUInt16LE(0xffff, 76 + 8);
  end.writeUInt16LE(0xffff, 76 + 10);
  end.writeUInt32LE(0xffffffff, 76 + 12);
  end.writeUInt32LE(0xffffffff, 76 + 16);
  return Buffer.concat([bytes.subarray(0, directoryOffset), directory, end]);
}

test("zip64 archives (as torch writes past 4 GiB) are read through their zip64 records", async () => {
  const zip64 = await toZip64(await readFile(fusedFixture("written-by-virality.pt")));
  const pt = await readPtBuffer(zip64, "zip64.pt");
  assert.deepEqual(numbers(tensorAt(pt.root, "fused")).slice(0, 3), [0.125, 0, -0.125]);
  // A zip64 end record whose locator points nowhere is corrupt, not a crash.
  const broken = Buffer.from(zip64);
  broken.writeBigUInt64LE(BigInt(broken.length), broken.length - 22 - 20 + 8);
  await rejectsWith(readPtBuffer(broken, "zip64-broken.pt"), "VIR_PT_CORRUPT", /zip64 end record points past the file/);
});

test("the writer's zip64 records (forced for every entry) read back; torch 2.15 loaded the same layout", async (t) => {
  const file = tempPath(t, "zip64-written.pt");
  const pkl = tensorPickle({ cls: "DoubleStorage", numel: 2, size: [2], stride: [1] });
  await writeZip(file, archive(pkl, { "0": new Uint8Array(new Float64Array([0.5, -7]).buffer) }), { zip64From: 0 });
  const bytes = await readFile(file);
  assert.ok(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), "has a zip64 end record");
  const pt = await readPtBuffer(bytes, "zip64-written.pt");
  assert.deepEqual(numbers(tensorAt(pt.root, "t")), [0.5, -7]);
});

test("a compressed entry declaring more than 1 GiB is refused before inflating (zip bomb guard)", async () => {
  const pkl = tensorPickle({ cls: "FloatStorage", numel: 3, size: [3], stride: [1] });
  const records = archive(pkl, { "0": new Uint8Array(12) }).map((r) => (r.name === "archive/data/0" ? { ...r, deflate: true } : r));
  const zipped = Buffer.from(await torchZip(records));
  const name = Buffer.from("archive/data/0");
  let central = zipped.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  while (central >= 0 && !zipped.subarray(central + 46, central + 46 + name.length).equals(name)) {
    central = zipped.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), central + 4);
  }
  assert.ok(central > 0);
  zipped.writeUInt32LE(0xc0000000, central + 24); // 3 GiB uncompressed
  await rejectsWith(readPtBuffer(zipped, "bomb2.pt"), "VIR_PT_LIMIT", /archive\/data\/0 is compressed and declares 3221225472 bytes/);
});

test("many strided copies of one storage stop at a budget instead of exhausting memory", async () => {
  // One 8 MiB float32 storage, read through 40 different transposed views: 320 MiB of copies asked for.
  const side = 1448; // 1448² × 4 bytes ≈ 8 MiB
  const view = (key: string): Uint8Array =>
    pickle(
      str(key), 0x63, "torch._utils\n_rebuild_tensor_v2\n", 0x28,
      0x28, str("storage"), 0x63, "torch\nFloatStorage\n", str("0"), str("cpu"), 0x4a, u32(side * side), 0x74, 0x51,
      0x4b, 0, 0x4d, side & 0xff, side >> 8, 0x4d, side & 0xff, side >> 8, 0x86, 0x4b, 1, 0x4d, side & 0xff, side >> 8, 0x86,
      0x89, 0x63, "collections\nOrderedDict\n", 0x29, 0x52, 0x74, 0x52,
    );
  const pkl = pickle(0x80, 2, 0x7d, 0x28, ...Array.from({ length: 40 }, (_, i) => view(`v${i}`)), 0x75, 0x2e);
  const zipped = await torchZip(archive(pkl, { "0": new Uint8Array(side * side * 4) }));
  await rejectsWith(readPtBuffer(zipped, "amplify.pt"), "VIR_PT_LIMIT", /need \d+ bytes of copies from 8386816 bytes of storage/);
});

/** A legacy (pre-1.6) file by hand: a float32 storage "root" of 0..9, and t = a view of it. */
function legacyFile(littleEndian: boolean, viewInfo: Uint8Array): Uint8Array {
  const magic = pickle(0x80, 2, 0x8a, 10, Uint8Array.of(0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19), 0x2e);
  const protocol = pickle(0x80, 2, 0x4d, 0xe9, 0x03, 0x2e);
  const sysInfo = pickle(0x80, 2, 0x7d, 0x28, str("little_endian"), littleEndian ? 0x88 : 0x89, 0x75, 0x2e);
  const main = pickle(
    0x80, 2, 0x7d, 0x28, str("t"), 0x63, "torch._utils\n_rebuild_tensor_v2\n", 0x28,
    0x28, str("storage"), 0x63, "torch\nFloatStorage\n", str("root"), str("cpu"), 0x4b, 10, viewInfo, 0x74, 0x51,
    0x4b, 1, 0x4b, 3, 0x85, 0x4b, 1, 0x85, 0x89, 0x63, "collections\nOrderedDict\n", 0x29, 0x52, 0x74, 0x52, 0x75, 0x2e,
  );
  const keys = pickle(0x80, 2, 0x5d, 0x28, str("root"), 0x65, 0x2e);
  const data = Buffer.alloc(8 + 40);
  if (littleEndian) data.writeBigInt64LE(10n, 0);
  else data.writeBigInt64BE(10n, 0);
  for (let i = 0; i < 10; i++) {
    if (littleEndian) data.writeFloatLE(i, 8 + 4 * i);
    else data.writeFloatBE(i, 8 + 4 * i);
  }
  return Buffer.concat([magic, protocol, sysInfo, main, keys, data]);
}

test("legacy files: storage views (view_key, offset, size) and big-endian machines", async () => {
  const none = Uint8Array.of(0x4e);
  const view = pickle(0x28, str("view1"), 0x4b, 2, 0x4b, 5, 0x74); // root[2:7]
  const plain = await readPtBuffer(legacyFile(true, none), "legacy.pt");
  assert.equal(plain.format, "legacy");
  assert.deepEqual(numbers(tensorAt(plain.root, "t")), [1, 2, 3]);
  assert.deepEqual(numbers(tensorAt((await readPtBuffer(legacyFile(true, view), "legacy-view.pt")).root, "t")), [3, 4, 5]);
  const big = await readPtBuffer(legacyFile(false, view), "legacy-big.pt");
  assert.equal(big.byteOrder, "big");
  assert.deepEqual(numbers(tensorAt(big.root, "t")), [3, 4, 5]);
  const outside = pickle(0x28, str("view1"), 0x4b, 8, 0x4b, 5, 0x74); // root[8:13] of 10
  await rejectsWith(readPtBuffer(legacyFile(true, outside), "legacy-outside.pt"), "VIR_PT_CORRUPT", /view view1 covers elements 8\.\.13 of a storage of 10/);
});

test("a legacy file whose first pickle is not torch's magic number is not a torch file", async () => {
  await rejectsWith(readPtBuffer(pickle(0x80, 2, 0x4b, 7, 0x2e), "just-a-pickle.pkl"), "VIR_PT_NOT_TORCH", /not torch's magic number/);
});
