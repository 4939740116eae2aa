// Proves that 1,500 seeded mutations of CSV, TSV and Parquet files written by writeTable each end as a
// consistent Table or a ViralityError naming the file: no other exception, no hang, nothing left behind.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { tableFromColumns, writeTable } from "../../../src/io/tables/index.js";
import { caseRandom, fuzzTables, loadTableSeeds, mutate, readInWorker, type ReadResult } from "./table-fuzz-cases.js";
import { tempDir } from "./temp-dir.js";

function assertRefused(result: ReadResult, file: string, pattern: RegExp): void {
  assert.equal(result.kind, "refused", JSON.stringify(result));
  if (result.kind !== "refused") return;
  assert.equal(result.code, "VIR_TABLE_INVALID");
  assert.equal(result.file, file);
  assert.ok(result.message.startsWith(`${file}: `), result.message);
  assert.match(result.message, pattern);
}

/**
 * The first data page header v2 of a file from writeTable: where each of its i32 fields starts and
 * where the page's data (its definition levels) starts.
 */
function firstV2Header(bytes: Uint8Array): { fields: Map<number, number>; dataAt: number } {
  // "PAR1", then the page header: fields 1-3 are i32 (type, sizes), field 8 (0x5c) the v2 header struct
  let at = bytes.indexOf(0x5c, 4) + 1;
  const fields = new Map<number, number>();
  for (let id = 0; bytes[at] !== 0; ) {
    const header = bytes[at] ?? 0;
    assert.equal(header & 0x0f, 5, "an i32 field");
    id += header >> 4;
    fields.set(id, at);
    at += 1;
    while (((bytes[at++] ?? 0) & 0x80) !== 0);
  }
  // the stop bytes of the v2 struct and of the page header
  return { fields, dataAt: at + 2 };
}

test("the mutations are deterministic: a case is replayed from its seed value and index", async () => {
  const seeds = await loadTableSeeds();
  const seed = seeds.find((s) => s.format === "csv");
  assert.ok(seed !== undefined);
  assert.deepEqual(mutate(seed, caseRandom(7, 12)), mutate(seed, caseRandom(7, 12)));
  assert.notDeepEqual(mutate(seed, caseRandom(7, 12)), mutate(seed, caseRandom(7, 13)));
});

test("a Parquet data page header without its repetition-levels length is refused, not decoded forever", async (t) => {
  const path = join(await tempDir(t), "no-rep-length.parquet");
  await writeTable(path, tableFromColumns({ video_id: ["only"], x: [1] }));
  const bytes = new Uint8Array(await readFile(path));
  const { fields, dataAt } = firstV2Header(bytes);
  // field 6 (repetition_levels_byte_length) renumbered to 7, so the header lacks it: hyparquet reads
  // the levels from offset NaN, which reads byte 0 of the page, over and over; a 0 there is an empty
  // run, and the run-length decoder never gets further
  bytes[fields.get(6) ?? 0] = 0x25;
  bytes[dataAt] = 0;
  await writeFile(path, bytes);
  assertRefused(await readInWorker(path), path, /column "video_id".*page header at byte 4 .*repetition_levels_byte_length/);
});

test("a Parquet column chunk naming a column the schema lacks is refused, and nothing escapes the reader", async (t) => {
  const path = join(await tempDir(t), "renamed-chunk.parquet");
  await writeTable(path, tableFromColumns({ video_id: ["a", "b"], notes: ["x", null], n: [1, 2] }));
  const bytes = Buffer.from(await readFile(path));
  // the footer names each column twice (schema, then the chunk's path_in_schema): rename the chunk's
  const chunkName = bytes.lastIndexOf("notes");
  bytes.write("noTes", chunkName);
  // and damage the first chunk, whose read is already under way when the unknown name is found
  bytes[5] = 0x7f;
  await writeFile(path, bytes);
  assertRefused(await readInWorker(path), path, /row group 1 has a column chunk for "noTes", which the schema does not have/);
});

test("a Parquet schema naming a column twice is refused before any chunk is read", async (t) => {
  const path = join(await tempDir(t), "twice.parquet");
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "video_id", data: ["a", "b"], type: "STRING" },
      { name: "x", data: [1, 2], type: "DOUBLE" },
      { name: "x", data: [3, 4], type: "DOUBLE" },
    ],
  });
  await writeFile(path, new Uint8Array(buffer));
  assertRefused(await readInWorker(path), path, /the column name "x" appears twice in the schema/);
});

test("1,500 mutated tables: every outcome is a Table or a ViralityError naming the file", async () => {
  const seeds = await loadTableSeeds();
  assert.equal(seeds.length, 15);
  const tally = await fuzzTables(seeds, 0x7ab1e, 1500);
  assert.deepEqual(
    tally.failures.map((f) => `${f.kind} ${f.seed} #${f.index}: ${f.error.split("\n")[0]}`),
    [],
    "no crash, hang, inconsistent table or unnamed error",
  );
  assert.equal(tally.parsed + tally.refused, 1500);
  // every format both parses and refuses, so the mutations are neither all harmless nor all rejected at the door
  for (const format of ["csv", "tsv", "parquet"] as const) {
    const counts = tally.byFormat.get(format);
    assert.ok(counts !== undefined && counts.parsed >= 20 && counts.refused >= 200, `${format}: ${JSON.stringify(counts)}`);
  }
});
