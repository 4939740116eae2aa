/**
 * writeTable: a table to CSV, TSV or Parquet (by the path's extension). The file appears whole or not
 * at all: it is written next to its destination and renamed into place.
 * Missing values are written as empty CSV fields / Parquet nulls; numbers use the shortest text that
 * reads back to the same double, so a write/read round trip is exact.
 */
import { open, rename, rm } from "node:fs/promises";
import { fileWriter, ParquetWriter } from "hyparquet-writer";
import type { ColumnSource, SchemaElement } from "hyparquet-writer";
import { ViralityError } from "../../errors.js";
import { formatOfPath } from "./format.js";
import type { Column, Table } from "./table.js";

const CSV_BATCH_ROWS = 4096;
const PARQUET_ROW_GROUP = 100_000;

export interface WriteTableOptions {
  /** Rows per Parquet row group (default 100,000). */
  readonly parquetRowGroup?: number;
}

export async function writeTable(path: string, table: Table, options: WriteTableOptions = {}): Promise<void> {
  const format = formatOfPath(path);
  const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
  try {
    if (format === "parquet") await writeParquet(temporary, table, options.parquetRowGroup ?? PARQUET_ROW_GROUP);
    else await writeDelimited(temporary, table, format === "csv" ? "," : "\t");
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof ViralityError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ViralityError("VIR_TABLE_INVALID", `${path}: cannot write the table: ${reason}.`, {
      cause: error,
      details: { file: path },
    });
  }
}

async function writeDelimited(path: string, table: Table, delimiter: "," | "\t"): Promise<void> {
  const handle = await open(path, "w");
  try {
    const quote = (text: string): string => quoteField(text, delimiter);
    await handle.write(table.columns.map((column) => quote(column.name)).join(delimiter) + "\n");
    for (let start = 0; start < table.rowCount; start += CSV_BATCH_ROWS) {
      const end = Math.min(start + CSV_BATCH_ROWS, table.rowCount);
      const lines: string[] = [];
      for (let row = start; row < end; row++) {
        lines.push(table.columns.map((column) => fieldText(column, row, quote)).join(delimiter));
      }
      await handle.write(lines.join("\n") + "\n");
    }
  } finally {
    await handle.close();
  }
}

function fieldText(column: Column, row: number, quote: (text: string) => string): string {
  if (column.type === "number") {
    const value = column.values[row] ?? Number.NaN;
    return Number.isNaN(value) ? "" : String(value);
  }
  const value = column.values[row] ?? null;
  return value === null ? "" : quote(value);
}

function quoteField(text: string, delimiter: string): string {
  const needsQuotes =
    text.includes(delimiter) ||
    text.includes('"') ||
    text.includes("\n") ||
    text.includes("\r") ||
    text !== text.trim();
  return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text;
}

async function writeParquet(path: string, table: Table, rowGroup: number): Promise<void> {
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: [{ name: "root", num_children: table.columns.length }, ...table.columns.map(schemaElementOf)],
    createdBy: "virality",
  });
  for (let start = 0; start < table.rowCount; start += rowGroup) {
    const end = Math.min(start + rowGroup, table.rowCount);
    const columnData: ColumnSource[] = table.columns.map((column) => ({
      name: column.name,
      data: sliceForParquet(column, start, end),
    }));
    await writer.write({ columnData, rowGroupSize: rowGroup });
  }
  await writer.finish();
}

/** Numbers as nullable DOUBLE, text as nullable UTF8 strings. */
function schemaElementOf(column: Column): SchemaElement {
  return column.type === "number"
    ? { name: column.name, type: "DOUBLE", repetition_type: "OPTIONAL" }
    : { name: column.name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" };
}

function sliceForParquet(column: Column, start: number, end: number): Array<number | string | null> {
  const out: Array<number | string | null> = new Array<number | string | null>(end - start);
  for (let row = start; row < end; row++) {
    if (column.type === "number") {
      const value = column.values[row] ?? Number.NaN;
      out[row - start] = Number.isNaN(value) ? null : value;
    } else {
      out[row - start] = column.values[row] ?? null;
    }
  }
  return out;
}
