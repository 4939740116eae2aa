// Proves that a bad features table is refused with VIR_TABLE_INVALID naming the file, line or rows.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { isViralityError } from "../../../src/errors.js";
import { readTable } from "../../../src/io/tables/index.js";
import { tempDir } from "./temp-dir.js";

function tableError(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isViralityError(error, "VIR_TABLE_INVALID"), String(error));
    assert.match(error.message, pattern);
    return true;
  };
}

test("a ragged CSV row names the file, the line and the field counts", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "ragged.csv");
  await writeFile(path, "video_id,views_1h,likes_1h\na,1,2\nb,3\nc,4,5\n");
  await assert.rejects(readTable(path), (error) => {
    assert.ok(isViralityError(error, "VIR_TABLE_INVALID"));
    assert.match(error.message, /ragged\.csv: line 3 has 2 fields, expected 3/);
    assert.equal(error.details.line, 3);
    assert.equal(error.details.expected, 3);
    assert.equal(error.details.actual, 2);
    return true;
  });
});

test("duplicated video_id values name the rows", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "dupes.csv");
  await writeFile(path, "video_id,x\na,1\nb,2\na,3\nc,4\nb,5\n");
  await assert.rejects(readTable(path), tableError(/2 duplicated video_id.*"a" on line 2 and line 4; "b" on line 3 and line 6/));
});

test("duplicated ids in Parquet name the rows by number", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "dupes.parquet");
  const buffer = parquetWriteBuffer({ columnData: [{ name: "video_id", data: ["a", "b", "a"], type: "STRING" }] });
  await writeFile(path, new Uint8Array(buffer));
  await assert.rejects(readTable(path), tableError(/"a" on row 1 and row 3/));
});

test("a table without a video_id column is refused", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "nokey.csv");
  await writeFile(path, "id,x\na,1\n");
  await assert.rejects(readTable(path), tableError(/nokey\.csv: no "video_id" column \(columns: id, x\)/));
});

test("an empty video_id names its line", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "emptykey.csv");
  await writeFile(path, "video_id,x\na,1\n,2\n");
  await assert.rejects(readTable(path), tableError(/line 3 has an empty video_id/));
});

test("a missing file, an empty file, a non-Parquet file and an unknown extension are refused", async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(readTable(join(dir, "absent.csv")), tableError(/absent\.csv: cannot open.*ENOENT/));
  await writeFile(join(dir, "empty.csv"), "");
  await assert.rejects(readTable(join(dir, "empty.csv")), tableError(/empty\.csv: the file is empty/));
  await writeFile(join(dir, "fake.parquet"), "video_id,x\na,1\n");
  await assert.rejects(readTable(join(dir, "fake.parquet")), tableError(/fake\.parquet: cannot read the Parquet file/));
  await assert.rejects(readTable(join(dir, "table.xlsx")), tableError(/unknown table format "\.xlsx"/));
});

test("an unclosed quote is reported as an unreadable CSV", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "quote.csv");
  await writeFile(path, 'video_id,x\na,"1\n');
  await assert.rejects(readTable(path), tableError(/quote\.csv: cannot read the CSV file/));
});

test("Parquet types map to number or text columns", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "typed.parquet");
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "video_id", data: [12345678901234567n, 2n], type: "INT64" },
      { name: "views", data: [1n, null], type: "INT64" },
      { name: "captions", data: [true, false], type: "BOOLEAN" },
      { name: "uploaded_at", data: [new Date(Date.UTC(2024, 0, 2, 3)), null], type: "TIMESTAMP" },
      { name: "ratio", data: [0.5, 1.5], type: "FLOAT" },
    ],
  });
  await writeFile(path, new Uint8Array(buffer));
  const table = await readTable(path);
  assert.deepEqual(table.byName.get("video_id")?.values, ["12345678901234567", "2"]);
  assert.deepEqual([...(table.byName.get("views")?.values ?? [])], [1, Number.NaN]);
  assert.deepEqual(table.byName.get("captions")?.values, ["true", "false"]);
  assert.deepEqual(table.byName.get("uploaded_at")?.values, ["2024-01-02T03:00:00.000Z", null]);
  assert.deepEqual([...(table.byName.get("ratio")?.values ?? [])], [0.5, 1.5]);
});
