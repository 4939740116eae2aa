/**
 * The matrix shape the evaluation toolkit works on: dense, row-major Float32Array, NaN for a missing
 * value. It is structurally a subset of src/features' FeatureMatrix, so an assembled matrix can be
 * passed as is.
 */
import { ViralityError } from "../../src/errors.js";

export interface RowMatrix {
  /** Element (row, col) is data[row * width + col]. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly width: number;
}

export function rowMatrix(data: Float32Array, rows: number, width: number): RowMatrix {
  const matrix = { data, rows, width };
  checkMatrix(matrix);
  return matrix;
}

/** Throws VIR_TRAIN_INVALID when the data length does not match rows × width, or y is not `rows` finite numbers. */
export function checkMatrix(x: RowMatrix, y?: ArrayLike<number>): void {
  if (!Number.isInteger(x.rows) || !Number.isInteger(x.width) || x.rows < 0 || x.width < 0) {
    throw new ViralityError("VIR_TRAIN_INVALID", `matrix shape ${x.rows} × ${x.width} is not two counts`);
  }
  if (x.data.length !== x.rows * x.width) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `matrix of ${x.rows} × ${x.width} needs ${x.rows * x.width} values, has ${x.data.length}`,
    );
  }
  if (y === undefined) return;
  if (y.length !== x.rows) {
    throw new ViralityError("VIR_TRAIN_INVALID", `matrix has ${x.rows} rows but the target has ${y.length} values`);
  }
  checkTarget(y);
}

/** Throws VIR_TRAIN_INVALID, naming the row, when a target value is not a finite number. */
export function checkTarget(y: ArrayLike<number>): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new ViralityError("VIR_TRAIN_INVALID", `the target of row ${i} is ${y[i]}, not a finite number`, {
        details: { row: i },
      });
    }
  }
}

/** A new matrix holding the given rows, in the given order. */
export function takeRows(x: RowMatrix, rows: ArrayLike<number>): RowMatrix {
  const out = new Float32Array(rows.length * x.width);
  for (let i = 0; i < rows.length; i++) {
    const start = rows[i] * x.width;
    out.set(x.data.subarray(start, start + x.width), i * x.width);
  }
  return { data: out, rows: rows.length, width: x.width };
}

/** values[rows[i]] for each i. */
export function takeValues(values: ArrayLike<number>, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

/** Per column, the mean of its finite values (0 for a column without any). */
export function finiteColumnMeans(x: RowMatrix): Float64Array {
  const sums = new Float64Array(x.width);
  const counts = new Float64Array(x.width);
  for (let r = 0; r < x.rows; r++) {
    const base = r * x.width;
    for (let c = 0; c < x.width; c++) {
      const v = x.data[base + c];
      if (Number.isFinite(v)) {
        sums[c] += v;
        counts[c] += 1;
      }
    }
  }
  for (let c = 0; c < x.width; c++) sums[c] = counts[c] > 0 ? sums[c] / counts[c] : 0;
  return sums;
}
