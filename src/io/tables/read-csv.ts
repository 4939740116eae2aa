/** Streams a CSV (or TSV) file into columns, one record at a time. */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { ViralityError } from "../../errors.js";
import { ColumnBuilder } from "./column-builder.js";
import { KEY_COLUMN, makeTable, type Table } from "./table.js";

interface ParsedRecord {
  readonly record: readonly unknown[];
  readonly info: { readonly lines: number };
}

function isParsedRecord(value: unknown): value is ParsedRecord {
  if (typeof value !== "object" || value === null) return false;
  if (!("record" in value) || !("info" in value)) return false;
  const { record, info } = value;
  return Array.isArray(record) && typeof info === "object" && info !== null && "lines" in info && typeof info.lines === "number";
}

export async function readCsv(path: string, delimiter: "," | "\t"): Promise<Table> {
  const parser = createReadStream(path).pipe(
    parse({ delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  let builders: ColumnBuilder[] | undefined;
  const lines: number[] = [];
  try {
    for await (const item of parser) {
      if (!isParsedRecord(item)) throw new Error("csv-parse returned a record without info");
      const fields = item.record.map((field) => (typeof field === "string" ? field : String(field)));
      if (builders === undefined) {
        builders = fields.map((field, i) => {
          const name = field.trim() === "" ? `unnamed_${i}` : field.trim();
          return new ColumnBuilder(name, name === KEY_COLUMN);
        });
        continue;
      }
      if (fields.length !== builders.length) {
        throw new ViralityError(
          "VIR_TABLE_INVALID",
          `${path}: line ${item.info.lines} has ${fields.length} fields, expected ${builders.length} (as in the header); ` +
            `quote fields that contain the delimiter, or fix the row.`,
          { details: { file: path, line: item.info.lines, expected: builders.length, actual: fields.length } },
        );
      }
      for (let i = 0; i < fields.length; i++) builders[i]?.pushRaw(fields[i] ?? "");
      lines.push(item.info.lines);
    }
  } catch (error) {
    parser.destroy();
    if (error instanceof ViralityError) throw error;
    throw new ViralityError("VIR_TABLE_INVALID", `${path}: cannot read the CSV file: ${describeCause(error)}.`, {
      cause: error,
      details: { file: path },
    });
  }
  if (builders === undefined) {
    throw new ViralityError("VIR_TABLE_INVALID", `${path}: the file is empty; it needs a header line and rows.`, {
      details: { file: path },
    });
  }
  const columns = builders.map((builder) => builder.finish());
  return makeTable(path, delimiter === "," ? "csv" : "tsv", lines.length, columns, Uint32Array.from(lines));
}

function describeCause(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
