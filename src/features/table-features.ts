/**
 * The trainer's path to a feature matrix: every joined table row becomes records
 * (recordsFromTableRow) and goes through the same assembly as a scored video.
 */
import { ViralityError } from "../errors.js";
import { joinedEmbedding, type JoinResult } from "../io/join.js";
import { cellAt, rowLabel, type Table } from "../io/tables/table.js";
import { assembleBatch, type FeatureMatrix, type MatrixVariant } from "./assemble.js";
import { recordsFromTableRow, type VideoRecords } from "./records.js";
import type { FeatureSpec } from "./spec.js";
import type { Stage } from "./stages.js";
import { UPLOADED_AT_COLUMN } from "./columns.js";
import { numberOf, timestampMs } from "./values.js";

export interface JoinedMatrixOptions {
  /** Join rows to assemble (indices into join.tableRows), e.g. a split. Default: all, in order. */
  readonly rows?: ArrayLike<number>;
  readonly variant?: MatrixVariant;
}

/** The records of join row `i`. */
export function recordsOfJoinRow(spec: FeatureSpec, table: Table, join: JoinResult, i: number): VideoRecords {
  const tableRow = join.tableRows[i];
  if (tableRow === undefined) throw new RangeError(`join row ${i} is outside 0…${join.tableRows.length - 1}`);
  return recordsFromTableRow(spec, table, tableRow, joinedEmbedding(join, i));
}

export function assembleJoined(
  spec: FeatureSpec,
  stage: Stage,
  table: Table,
  join: JoinResult,
  options: JoinedMatrixOptions = {},
): FeatureMatrix {
  const rows = options.rows;
  const count = rows === undefined ? join.tableRows.length : rows.length;
  const joinRowAt = rows === undefined ? (i: number): number => i : (i: number): number => rows[i] ?? -1;
  return assembleBatch(spec, stage, count, (i) => recordsOfJoinRow(spec, table, join, joinRowAt(i)), options.variant);
}

/** The upload time (epoch ms) of every join row, parsed as assembly parses it — for time-based splits. */
export function joinedUploadTimes(table: Table, join: JoinResult): Float64Array {
  const column = table.byName.get(UPLOADED_AT_COLUMN);
  if (column === undefined) {
    throw new ViralityError("VIR_TABLE_INVALID", `${table.source}: no "${UPLOADED_AT_COLUMN}" column for a time split.`, {
      details: { file: table.source, column: UPLOADED_AT_COLUMN },
    });
  }
  return Float64Array.from(join.tableRows, (row) => {
    const ms = timestampMs(cellAt(column, row));
    if (ms === undefined || Number.isNaN(ms)) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${table.source}: ${rowLabel(table, row)} has no valid ${UPLOADED_AT_COLUMN} (ISO 8601 or epoch seconds).`,
        { details: { file: table.source, row: row + 1, column: UPLOADED_AT_COLUMN } },
      );
    }
    return ms;
  });
}

/** A numeric column (e.g. the target) aligned with the join rows; NaN where missing. */
export function joinedNumbers(table: Table, join: JoinResult, name: string): Float64Array {
  const column = table.byName.get(name);
  if (column === undefined) {
    throw new ViralityError("VIR_TABLE_INVALID", `${table.source}: no "${name}" column.`, {
      details: { file: table.source, column: name },
    });
  }
  return Float64Array.from(join.tableRows, (row) => {
    const value = numberOf(cellAt(column, row));
    if (value === undefined) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${table.source}: ${rowLabel(table, row)}, column "${name}" holds ${JSON.stringify(cellAt(column, row))}, not a number.`,
        { details: { file: table.source, row: row + 1, column: name } },
      );
    }
    return value;
  });
}
