/**
 * Reads a Parquet file column chunk by column chunk (hyparquet's onChunk, no row transpose). Numeric
 * physical types become number columns; strings, booleans ("true"/"false") and timestamps (ISO 8601)
 * become text columns. Nested columns (lists, structs) are refused.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import type { ColumnData, FileMetaData, SchemaTree } from "hyparquet";
import { ViralityError } from "../../errors.js";
import { ColumnBuilder } from "./column-builder.js";
import { checkParquetLayout } from "./parquet-check.js";
import { KEY_COLUMN, makeTable, type Table } from "./table.js";

const NUMERIC_TYPES: ReadonlySet<string> = new Set(["INT32", "INT64", "INT96", "FLOAT", "DOUBLE"]);
const TEXT_CONVERTED: ReadonlySet<string> = new Set(["UTF8", "ENUM", "JSON"]);

export async function readParquet(path: string): Promise<Table> {
  let metadata: FileMetaData;
  let schema: SchemaTree;
  let rowCount: number;
  const file = await asyncBufferFromFile(path).catch((error: unknown) => {
    throw unreadable(path, error);
  });
  try {
    metadata = await parquetMetadataAsync(file);
    schema = parquetSchema(metadata);
    rowCount = Number(metadata.num_rows);
  } catch (error) {
    throw unreadable(path, error);
  }

  const builders: ColumnBuilder[] = [];
  const byName = new Map<string, { builder: ColumnBuilder; numeric: boolean; next: number }>();
  for (const child of schema.children) {
    const element = child.element;
    if (child.children.length > 0 || element.repetition_type === "REPEATED") {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${path}: column "${element.name}" is nested (a list or struct); flatten it into plain columns.`,
        { details: { file: path, column: element.name } },
      );
    }
    const numeric =
      element.type !== undefined &&
      NUMERIC_TYPES.has(element.type) &&
      !(element.converted_type !== undefined && TEXT_CONVERTED.has(element.converted_type)) &&
      element.logical_type?.type !== "TIMESTAMP" &&
      element.converted_type !== "TIMESTAMP_MILLIS" &&
      element.converted_type !== "TIMESTAMP_MICROS";
    if (byName.has(element.name)) {
      // refused before reading: hyparquet would leave the second chunk's read unobserved
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${path}: the column name "${element.name}" appears twice in the schema; rename one of them.`,
        { details: { file: path, column: element.name } },
      );
    }
    const builder = new ColumnBuilder(element.name, element.name === KEY_COLUMN || !numeric);
    builders.push(builder);
    byName.set(element.name, { builder, numeric, next: 0 });
  }

  // hyparquet hands over each column's chunks as its row groups finish decoding, not necessarily in row
  // order: a chunk ahead of the next expected row waits until the rows before it arrived
  const pending = new Map<string, Map<number, ColumnData>>();
  const append = (target: { builder: ColumnBuilder; next: number }, chunk: ColumnData): void => {
    const data = chunk.columnData;
    for (let i = 0; i < data.length; i++) pushCell(target.builder, data[i]);
    target.next = chunk.rowEnd;
  };
  const onChunk = (chunk: ColumnData): void => {
    const target = byName.get(chunk.columnName);
    if (target === undefined) return;
    const waiting = pending.get(chunk.columnName) ?? new Map<number, ColumnData>();
    pending.set(chunk.columnName, waiting);
    waiting.set(chunk.rowStart, chunk);
    for (let next = waiting.get(target.next); next !== undefined; next = waiting.get(target.next)) {
      waiting.delete(next.rowStart);
      append(target, next);
    }
  };
  try {
    await checkParquetLayout(path, file, metadata, schema);
    await parquetRead({ file, metadata, onChunk });
  } catch (error) {
    if (error instanceof ViralityError) throw error;
    throw unreadable(path, error);
  }
  for (const [column, waiting] of pending) {
    const first = [...waiting.keys()].sort((a, b) => a - b)[0];
    if (first !== undefined) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${path}: column "${column}" has rows from ${first} but none from ${byName.get(column)?.next ?? 0} (a row group is missing or overlaps another).`,
        { details: { file: path, column } },
      );
    }
  }
  for (const builder of builders) {
    if (builder.size !== rowCount) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${path}: column "${builder.name}" holds ${builder.size} values, the file declares ${rowCount} rows.`,
        { details: { file: path, column: builder.name } },
      );
    }
  }
  return makeTable(
    path,
    "parquet",
    rowCount,
    builders.map((builder) => builder.finish()),
  );
}

function pushCell(builder: ColumnBuilder, value: unknown): void {
  if (value === null || value === undefined) builder.pushMissing();
  else if (typeof value === "number") builder.pushNumber(value);
  else if (typeof value === "bigint") {
    if (builder.isText) builder.pushText(value.toString());
    else builder.pushNumber(Number(value));
  } else if (typeof value === "string") builder.pushText(value);
  else if (typeof value === "boolean") builder.pushText(value ? "true" : "false");
  else if (value instanceof Date) builder.pushText(value.toISOString());
  else builder.pushText(JSON.stringify(value));
}

function unreadable(path: string, error: unknown): ViralityError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ViralityError("VIR_TABLE_INVALID", `${path}: cannot read the Parquet file: ${reason}.`, {
    cause: error,
    details: { file: path },
  });
}
