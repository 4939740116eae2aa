/** readTable: a CSV, TSV or Parquet features table, with its `video_id` key checked. */
import { access, constants } from "node:fs/promises";
import { ViralityError } from "../../errors.js";
import { formatOfPath } from "./format.js";
import { checkKey } from "./key.js";
import { readCsv } from "./read-csv.js";
import { readParquet } from "./read-parquet.js";
import type { Table } from "./table.js";

export interface ReadTableOptions {
  /** Check that `video_id` exists, is never empty and is unique (default true). */
  readonly requireKey?: boolean;
}

export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Table> {
  const format = formatOfPath(path);
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new ViralityError("VIR_TABLE_INVALID", `${path}: cannot open the features table (${reason}); check the path.`, {
      cause: error,
      details: { file: path },
    });
  }
  const table = format === "parquet" ? await readParquet(path) : await readCsv(path, format === "csv" ? "," : "\t");
  if (options.requireKey ?? true) checkKey(table);
  return table;
}
