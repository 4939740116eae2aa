/** Seeded synthetic data for the evaluation, baseline and report tests. */
import { Rng } from "../../../trainer/gbdt/rng.js";
import type { RowMatrix } from "../../../trainer/eval/matrix.js";

export function uniform(rng: Rng): number {
  return (rng.nextUint32() + 0.5) / 0x1_0000_0000;
}

/** A standard normal draw (Box–Muller). */
export function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(uniform(rng))) * Math.cos(2 * Math.PI * uniform(rng));
}

export interface LinearProblem {
  readonly x: RowMatrix;
  readonly y: Float64Array;
}

/** y = intercept + Σ coefficients[c]·x_c + noise·N(0,1); x_c ~ N(0, 1) (column 0 scaled by `scale0`). */
export function linearProblem(
  n: number,
  coefficients: readonly number[],
  options: { seed: number; noise: number; intercept?: number; scale0?: number },
): LinearProblem {
  const rng = new Rng(options.seed);
  const p = coefficients.length;
  const data = new Float32Array(n * p);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let sum = options.intercept ?? 0;
    for (let c = 0; c < p; c++) {
      const v = Math.fround(gaussian(rng) * (c === 0 ? (options.scale0 ?? 1) : 1));
      data[r * p + c] = v;
      sum += coefficients[c] * v;
    }
    y[r] = sum + options.noise * gaussian(rng);
  }
  return { x: { data, rows: n, width: p }, y };
}

/** A predictor that is the true linear function (no noise), for importance tests. */
export function linearPredictor(coefficients: readonly number[], intercept = 0): (x: RowMatrix) => Float64Array {
  return (x) => {
    const out = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      let sum = intercept;
      for (let c = 0; c < x.width; c++) sum += coefficients[c] * x.data[r * x.width + c];
      out[r] = sum;
    }
    return out;
  };
}
