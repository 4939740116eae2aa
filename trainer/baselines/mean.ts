/** The mean baseline: predicts the train mean of the target for every row. */
import { ViralityError } from "../../src/errors.js";
import { checkTarget, type RowMatrix } from "../eval/matrix.js";
import type { Baseline } from "./types.js";

export interface MeanBaseline extends Baseline {
  readonly kind: "mean";
  readonly value: number;
}

export function fitMean(y: Float64Array): MeanBaseline {
  if (y.length === 0) throw new ViralityError("VIR_TRAIN_INVALID", "the mean baseline needs at least one train row");
  checkTarget(y);
  let sum = 0;
  for (const v of y) sum += v;
  return meanBaseline(sum / y.length);
}

export function meanBaseline(value: number): MeanBaseline {
  return {
    kind: "mean",
    name: "mean",
    value,
    predict: (x: RowMatrix) => new Float64Array(x.rows).fill(value),
  };
}
