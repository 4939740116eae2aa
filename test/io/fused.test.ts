// Proves the fused.pt contract: torch-written fixtures in every float dtype and layout read as the same
// float32 rows, every contract violation is a VIR_FUSED_INVALID naming file and id/row, and writeFused
// writes exactly the bytes real torch was shown to load.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { fusedFromPt, readFused, writeFused } from "../../src/io/fused.js";
import { dictGet, readPt, readPtBuffer, type PtValue } from "../../src/io/pt/index.js";
import { SAMPLE_DIM, SAMPLE_IDS, sampleData } from "../../scripts/write-fused-sample.js";
import { fusedFixture, rejectsWith, tempPath } from "./pt-helpers.js";

/** value[r][c] = r + c/4 - 1, as scripts/make-fused-fixtures.py writes it. */
const BASE = Array.from({ length: 12 }, (_, i) => Math.floor(i / 4) + (i % 4) / 4 - 1);

for (const file of ["float32.pt", "float16.pt", "bfloat16.pt", "transposed.pt", "offset-view.pt", "protocol4.pt", "protocol1.pt", "protocol5.pt", "legacy.pt", "extra-keys.pt"]) {
  test(`${file} reads as ids a,b,c and 3 × 4 float32 rows r + c/4 - 1`, async () => {
    const fused = await readFused(fusedFixture(file));
    assert.deepEqual(fused.ids, ["a", "b", "c"]);
    assert.equal(fused.dim, 4);
    assert.ok(fused.data instanceof Float32Array);
    assert.deepEqual(Array.from(fused.data), BASE);
  });
}

for (const file of ["protocol1.pt", "protocol5.pt"]) {
  test(`${file}: big and negative ints, inf, bytes, tuple, torch.Size and a dtype decode as torch wrote them`, async () => {
    const { root } = await readPt(fusedFixture(file));
    if (root.kind !== "dict") assert.fail(`root is a ${root.kind}`);
    const value = (key: string): PtValue | undefined => dictGet(root, key);
    assert.deepEqual(value("big"), { kind: "int", value: 2n ** 70n });
    assert.deepEqual(value("neg"), { kind: "int", value: -5 });
    assert.deepEqual(value("inf"), { kind: "float", value: Infinity });
    assert.deepEqual(value("raw"), { kind: "bytes", value: Uint8Array.of(0x00, 0xff) });
    assert.deepEqual(value("tuple"), {
      kind: "tuple",
      items: [{ kind: "int", value: 1 }, { kind: "string", value: "x" }, { kind: "none" }, { kind: "bool", value: true }],
    });
    assert.deepEqual(value("size"), { kind: "tuple", items: [{ kind: "int", value: 2 }, { kind: "int", value: 3 }] });
    assert.deepEqual(value("dtype"), { kind: "dtype", name: "bfloat16" });
  });
}

test("float64.pt is rounded to float32 (r + c/4 - 1 + 0.1)", async () => {
  const fused = await readFused(fusedFixture("float64.pt"));
  assert.deepEqual(Array.from(fused.data), BASE.map((v) => Math.fround(v + 0.1)));
});

test("transposed.pt keeps its file strides for inspection but hands out row-major data", async () => {
  const pt = await readPt(fusedFixture("transposed.pt"));
  assert.ok(pt.root.kind === "dict");
  const tensor = pt.root.entries.find(([k]) => k.kind === "string" && k.value === "fused")?.[1];
  assert.ok(tensor?.kind === "tensor");
  assert.deepEqual(tensor.strides, [1, 3]);
  assert.deepEqual(Array.from(tensor.data, Number), BASE);
});

const invalidCases: [string, RegExp[]][] = [
  ["duplicate-ids.pt", [/id "a" appears twice/, /rows 0 and 2/]],
  ["nan.pt", [/row 1 \(id "b"\)/, /NaN/, /column 2/]],
  ["int-tensor.pt", [/int64 tensor/, /float16, bfloat16, float32 or float64/]],
  ["row-mismatch.pt", [/3 rows but "ids" has 2/]],
  ["non-string-id.pt", [/ids\[1\] is an int/]],
  ["fused-not-tensor.pt", [/"fused" is a list, not a float tensor/]],
];
for (const [file, patterns] of invalidCases) {
  test(`${file} is refused with VIR_FUSED_INVALID naming the file and the problem`, async () => {
    await rejectsWith(readFused(fusedFixture(file)), "VIR_FUSED_INVALID", new RegExp(file.replace(".", "\\.")), ...patterns);
  });
}

test("a .pt that is not a dict, or lacks a key, is refused with VIR_FUSED_INVALID", async () => {
  const pt = await readPt(fusedFixture("float32.pt"));
  assert.throws(() => fusedFromPt({ ...pt, root: { kind: "list", items: [] } }, "x.pt"), /x\.pt: the top level is a list, not a dict/);
  assert.throws(() => fusedFromPt({ ...pt, root: { kind: "dict", ordered: false, entries: [] } }, "x.pt"), /"ids" is missing/);
});

test("a fused tensor that is not 2-D, or has d = 0, is refused", async (t) => {
  const path = tempPath(t, "zero-dim.pt");
  await assert.rejects(writeFused(path, ["a"], 0, new Float32Array(0)), /dim must be a positive integer/);
  const pt = await readPt(fusedFixture("float32.pt"));
  assert.ok(pt.root.kind === "dict");
  const entries = pt.root.entries.map(([k, v]): readonly [PtValue, PtValue] => (v.kind === "tensor" ? [k, { ...v, shape: [12], strides: [1] }] : [k, v]));
  assert.throws(() => fusedFromPt({ ...pt, root: { kind: "dict", ordered: false, entries } }, "flat.pt"), /shape \[12\]; it must be 2-dimensional/);
});

test("writeFused → readFused round-trips ids and values exactly", async (t) => {
  const path = tempPath(t, "roundtrip.pt");
  const ids = Array.from({ length: 1500 }, (_, i) => `video-${i}`); // more than one APPENDS batch of 1000
  const dim = 7;
  const data = Float32Array.from({ length: ids.length * dim }, (_, i) => Math.fround(Math.sin(i) * 100));
  await writeFused(path, ids, dim, data);
  const fused = await readFused(path);
  assert.deepEqual(fused.ids, ids);
  assert.equal(fused.dim, dim);
  assert.deepEqual(fused.data, data);
});

test("writeFused writes a torch-layout zip: 64-byte-aligned storage, torch's records", async (t) => {
  const path = tempPath(t, "layout.pt");
  await writeFused(path, ["x", "y"], 3, new Float32Array([1, 2, 3, 4, 5, 6]));
  const bytes = await readFile(path);
  const storageAt = bytes.indexOf(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40])); // 1.0f, 2.0f little-endian
  assert.ok(storageAt > 0);
  assert.equal(storageAt % 64, 0, "the storage starts at a multiple of 64 bytes");
  for (const name of ["archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/version", "archive/.format_version"]) {
    assert.ok(bytes.includes(Buffer.from(name)), `the zip holds ${name}`);
  }
  const pt = await readPtBuffer(bytes, "layout.pt");
  assert.equal(pt.archiveName, "archive");
  assert.equal(pt.byteOrder, "little");
});

test("writeFused still writes byte for byte the sample real torch loaded (written-by-virality.pt)", async (t) => {
  const path = tempPath(t, "sample.pt");
  await writeFused(path, SAMPLE_IDS, SAMPLE_DIM, sampleData());
  const committed = await readFile(fusedFixture("written-by-virality.pt"));
  assert.ok(Buffer.compare(await readFile(path), committed) === 0, "rerun scripts/make-fused-fixtures.py if the writer changed on purpose");
  const fused = await readFused(fusedFixture("written-by-virality.pt"));
  assert.deepEqual(fused.ids, [...SAMPLE_IDS]);
  assert.deepEqual(fused.data, sampleData());
});

test("writeFused refuses what readFused would refuse, before writing anything", async (t) => {
  const path = tempPath(t, "refused.pt");
  await rejectsWith(writeFused(path, ["a", "a"], 1, new Float32Array([1, 2])), "VIR_FUSED_INVALID", /id "a" appears twice/);
  await rejectsWith(writeFused(path, ["a", "b"], 1, new Float32Array([1, Infinity])), "VIR_FUSED_INVALID", /row 1 \(id "b"\)/, /Infinity/);
  await rejectsWith(writeFused(path, ["a", "b"], 2, new Float32Array(3)), "VIR_FUSED_INVALID", /3 values but 2 ids × dim 2 = 4/);
  await assert.rejects(readFile(path), { code: "ENOENT" });
});

test("an empty fused.pt (no ids, [0, d]) round-trips", async (t) => {
  const path = tempPath(t, "empty.pt");
  await writeFused(path, [], 5, new Float32Array(0));
  const fused = await readFused(path);
  assert.deepEqual(fused.ids, []);
  assert.equal(fused.dim, 5);
  assert.equal(fused.data.length, 0);
});
