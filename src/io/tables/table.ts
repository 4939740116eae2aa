/**
 * The in-memory shape of a features table: named columns of equal length, column-oriented so a
 * 100k × 50 table stays small. Numbers live in a Float64Array (NaN = missing); everything else is a
 * string array (null = missing).
 */
import { ViralityError } from "../../errors.js";

export const KEY_COLUMN = "video_id";

export interface NumberColumn {
  readonly type: "number";
  readonly name: string;
  /** NaN marks a missing value. */
  readonly values: Float64Array;
}

export interface TextColumn {
  readonly type: "text";
  readonly name: string;
  /** null marks a missing value; an empty string is never stored (it reads as missing). */
  readonly values: ReadonlyArray<string | null>;
}

export type Column = NumberColumn | TextColumn;

export type TableFormat = "csv" | "tsv" | "parquet" | "memory";

export interface Table {
  /** The file the table came from (or "<memory>"), for error messages. */
  readonly source: string;
  readonly format: TableFormat;
  readonly rowCount: number;
  /** Columns in file order. */
  readonly columns: readonly Column[];
  readonly byName: ReadonlyMap<string, Column>;
  /** For CSV: the 1-based line on which each data row ends (for messages). Absent otherwise. */
  readonly lines?: Uint32Array;
}

export type Cell = string | number | null;

/** The value of one cell: a finite-or-NaN number is returned as a number, NaN as null. */
export function cellAt(column: Column, row: number): Cell {
  if (column.type === "number") {
    const value = column.values[row] ?? Number.NaN;
    return Number.isNaN(value) ? null : value;
  }
  return column.values[row] ?? null;
}

export function isMissing(column: Column, row: number): boolean {
  return cellAt(column, row) === null;
}

/** "line 12" for a CSV row, "row 5" (1-based) otherwise: how messages name a row. */
export function rowLabel(table: Table, row: number): string {
  const line = table.lines?.[row];
  return line === undefined ? `row ${row + 1}` : `line ${line}`;
}

export function missingCount(column: Column): number {
  let count = 0;
  if (column.type === "number") {
    for (const value of column.values) if (Number.isNaN(value)) count++;
  } else {
    for (const value of column.values) if (value === null) count++;
  }
  return count;
}

export type ColumnInput = Float64Array | ReadonlyArray<Cell>;

/**
 * Builds a table from plain arrays (tests, the `predict` output). A Float64Array or an array of
 * numbers/nulls becomes a number column; an array holding any string becomes a text column.
 */
export function tableFromColumns(input: Readonly<Record<string, ColumnInput>>, source = "<memory>"): Table {
  const columns: Column[] = [];
  let rowCount: number | undefined;
  for (const [name, data] of Object.entries(input)) {
    if (rowCount === undefined) rowCount = data.length;
    if (data.length !== rowCount) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${source}: column "${name}" has ${data.length} values, the first column has ${rowCount}; give every column the same length.`,
        { details: { file: source, column: name } },
      );
    }
    columns.push(name === KEY_COLUMN ? keyColumnFromInput(data) : columnFromInput(name, data));
  }
  return makeTable(source, "memory", rowCount ?? 0, columns);
}

/** The key is always text: 12 and "12" are the same video. */
function keyColumnFromInput(data: ColumnInput): TextColumn {
  const values: Array<string | null> = [];
  for (const value of data) values.push(value === null || value === "" || Number.isNaN(value) ? null : String(value));
  return { type: "text", name: KEY_COLUMN, values };
}

function columnFromInput(name: string, data: ColumnInput): Column {
  if (data instanceof Float64Array) return { type: "number", name, values: data };
  if (data.some((value) => typeof value === "string")) {
    return {
      type: "text",
      name,
      values: data.map((value) => (value === null || value === "" ? null : String(value))),
    };
  }
  const values = new Float64Array(data.length);
  data.forEach((value, i) => {
    values[i] = typeof value === "number" ? value : Number.NaN;
  });
  return { type: "number", name, values };
}

export function makeTable(
  source: string,
  format: TableFormat,
  rowCount: number,
  columns: readonly Column[],
  lines?: Uint32Array,
): Table {
  const byName = new Map<string, Column>();
  for (const column of columns) {
    if (byName.has(column.name)) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${source}: the column name "${column.name}" appears twice in the header; rename one of them.`,
        { details: { file: source, column: column.name } },
      );
    }
    byName.set(column.name, column);
  }
  return lines === undefined
    ? { source, format, rowCount, columns, byName }
    : { source, format, rowCount, columns, byName, lines };
}
