// Proves that a table written as CSV or Parquet reads back with the same columns, types and values.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readTable, tableFromColumns, writeTable, type Table } from "../../../src/io/tables/index.js";
import { tempDir } from "./temp-dir.js";

function sample(): Table {
  return tableFromColumns({
    video_id: ["v1", "v2", "v3", "v4"],
    views_1h: Float64Array.from([120, Number.NaN, 0, 1e9]),
    retention_1h: Float64Array.from([0.1, 0.333333333333333, -2.5e-7, Number.NaN]),
    title: ['plain', 'with, comma', 'with "quotes"\nand a newline', null],
    language: ["en", null, " padded ", "pt-BR"],
  });
}

function assertSameTable(actual: Table, expected: Table): void {
  assert.equal(actual.rowCount, expected.rowCount);
  assert.deepEqual(
    actual.columns.map((column) => [column.name, column.type]),
    expected.columns.map((column) => [column.name, column.type]),
  );
  for (const column of expected.columns) {
    const read = actual.byName.get(column.name);
    assert.ok(read !== undefined, column.name);
    assert.deepEqual([...read.values], [...column.values], column.name);
  }
}

for (const extension of ["csv", "tsv", "parquet"]) {
  test(`a table written as ${extension} reads back unchanged`, async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, `features.${extension}`);
    const table = sample();
    await writeTable(path, table);
    const read = await readTable(path);
    assertSameTable(read, table);
    assert.equal(read.source, path);
  });
}

test("CSV rows are labelled by their line, even after a multi-line field", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "features.csv");
  await writeTable(path, sample());
  const read = await readTable(path);
  assert.deepEqual([...(read.lines ?? [])], [2, 3, 5, 6]);
});

test("a column turns to text at its first non-number and keeps earlier numbers as canonical text", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "mixed.csv");
  const { writeFile } = await import("node:fs/promises");
  await writeFile(path, "video_id,cluster_id,n\n007,007,1\n8,abc,2.50\n9,,NA\n");
  const read = await readTable(path);
  assert.deepEqual(read.byName.get("video_id")?.values, ["007", "8", "9"]);
  assert.deepEqual(read.byName.get("cluster_id")?.values, ["7", "abc", null]);
  assert.deepEqual([...(read.byName.get("n")?.values ?? [])], [1, 2.5, Number.NaN]);
});

test("an empty table round-trips through Parquet", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "empty.parquet");
  await writeTable(path, tableFromColumns({ video_id: [], score: new Float64Array(0) }));
  const read = await readTable(path);
  assert.equal(read.rowCount, 0);
  assert.deepEqual(read.columns.map((column) => column.name), ["video_id", "score"]);
});

test("a Parquet file with many row groups reads back in row order", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "features.parquet");
  const rows = 2_345;
  const table = tableFromColumns({
    video_id: Array.from({ length: rows }, (_, i) => `v${i}`),
    views_1h: Float64Array.from({ length: rows }, (_, i) => (i % 17 === 0 ? Number.NaN : i * 3)),
    language: Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : ["en", "pt", "ja"][i % 3] ?? null)),
  });
  // 24 row groups: hyparquet decodes them concurrently and hands their chunks over in completion order
  await writeTable(path, table, { parquetRowGroup: 100 });
  assertSameTable(await readTable(path), table);
});
