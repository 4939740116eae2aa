/** Which table format a path names, by its extension. */
import { extname } from "node:path";
import { ViralityError } from "../../errors.js";
import type { TableFormat } from "./table.js";

export type FileTableFormat = Exclude<TableFormat, "memory">;

export function formatOfPath(path: string): FileTableFormat {
  const extension = extname(path).toLowerCase();
  if (extension === ".csv") return "csv";
  if (extension === ".tsv") return "tsv";
  if (extension === ".parquet" || extension === ".pq") return "parquet";
  throw new ViralityError(
    "VIR_TABLE_INVALID",
    `${path}: unknown table format "${extension || "(no extension)"}"; use a .csv, .tsv or .parquet file.`,
    { details: { file: path } },
  );
}
