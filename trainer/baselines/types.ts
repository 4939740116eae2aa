/**
 * The baselines every stage report compares its model with. Each is fitted on the train rows
 * (fitMean, fitRidge, fitCart, fitSzaboHuberman) and predicts any rows of the same columns.
 */
import type { RowMatrix } from "../eval/matrix.js";

export type BaselineKind = "mean" | "ridge" | "cart" | "szabo-huberman";

export interface Baseline {
  readonly kind: BaselineKind;
  /** For reports: the kind plus its main setting, e.g. "ridge (λ=1)". */
  readonly name: string;
  predict(x: RowMatrix): Float64Array;
}
