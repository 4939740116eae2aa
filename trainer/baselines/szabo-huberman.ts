/**
 * The Szabo–Huberman log-linear model (Szabo & Huberman 2010, "Predicting the popularity of online
 * content"): ln N_7d = ln N_t + r. On the log1p target: ŷ = log1p(views_t) + r, with r the train
 * mean of y − log1p(views_t) (the least-squares fit of a unit-slope line). Rows without a usable
 * views_t (missing, non-finite or negative) fall back to the train mean of y.
 *
 * y must be the log1p of the view count; viewsColumn is the raw views_t (1h or 6h) column.
 * baseMargin() is the per-row prediction the 1h/6h GBDT learns its residual over.
 */
import { ViralityError } from "../../src/errors.js";
import { checkMatrix, type RowMatrix } from "../eval/matrix.js";
import type { Baseline } from "./types.js";

export interface SzaboHubermanOptions {
  /** Index of the raw views_t column in the matrix. */
  readonly viewsColumn: number;
}

export interface SzaboHubermanBaseline extends Baseline {
  readonly kind: "szabo-huberman";
  /** Mean log growth from t to the target horizon. */
  readonly r: number;
  readonly viewsColumn: number;
  /** Prediction of a row without views_t: the train mean of y. */
  readonly fallback: number;
  /** Train rows r was fitted on (those with views_t). */
  readonly fittedRows: number;
  /** The same as predict: the base margin of residual learning. */
  baseMargin(x: RowMatrix): Float64Array;
}

export function fitSzaboHuberman(x: RowMatrix, y: Float64Array, options: SzaboHubermanOptions): SzaboHubermanBaseline {
  checkMatrix(x, y);
  const { viewsColumn } = options;
  if (!Number.isInteger(viewsColumn) || viewsColumn < 0 || viewsColumn >= x.width) {
    throw new ViralityError("VIR_CONFIG_INVALID", `viewsColumn ${viewsColumn} is outside 0..${x.width - 1}`, {
      details: { key: "viewsColumn" },
    });
  }
  let growth = 0;
  let fittedRows = 0;
  let sum = 0;
  for (let r = 0; r < x.rows; r++) {
    sum += y[r];
    const logViews = logViewsAt(x, r, viewsColumn);
    if (logViews === null) continue;
    growth += y[r] - logViews;
    fittedRows++;
  }
  if (fittedRows === 0) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `Szabo–Huberman needs train rows with views in column ${viewsColumn}; none of ${x.rows} has one`,
    );
  }
  const r = growth / fittedRows;
  const fallback = sum / x.rows;
  const predict = (rows: RowMatrix): Float64Array => {
    checkMatrix(rows);
    if (rows.width !== x.width) {
      throw new ViralityError("VIR_TRAIN_INVALID", `Szabo–Huberman was fitted on ${x.width} columns, got ${rows.width}`);
    }
    const out = new Float64Array(rows.rows);
    for (let i = 0; i < rows.rows; i++) {
      const logViews = logViewsAt(rows, i, viewsColumn);
      out[i] = logViews === null ? fallback : logViews + r;
    }
    return out;
  };
  return {
    kind: "szabo-huberman",
    name: "Szabo–Huberman",
    r,
    viewsColumn,
    fallback,
    fittedRows,
    predict,
    baseMargin: predict,
  };
}

function logViewsAt(x: RowMatrix, row: number, column: number): number | null {
  const views = x.data[row * x.width + column];
  return Number.isFinite(views) && views >= 0 ? Math.log1p(views) : null;
}
