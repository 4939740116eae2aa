/**
 * The trainer's path to a feature matrix: every joined table row becomes records
 * (recordsFromTableRow) and goes through the same assembly as a scored video.
 */
import { joinedEmbedding, type JoinResult } from "../io/join.js";
import type { Table } from "../io/tables/table.js";
import { assembleBatch, type FeatureMatrix, type MatrixVariant } from "./assemble.js";
import { recordsFromTableRow, type VideoRecords } from "./records.js";
import type { FeatureSpec } from "./spec.js";
import type { Stage } from "./stages.js";

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
