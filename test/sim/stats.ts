/** Small statistics for the simulator's tests: R², correlation, ridge regression by normal equations. */

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] ?? 0;
  return sum / values.length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** 1 − SSE / SST of predictions against truth. */
export function rSquared(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const center = mean(truth);
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i] ?? 0;
    sse += (y - (predicted[i] ?? 0)) ** 2;
    sst += (y - center) ** 2;
  }
  return 1 - sse / sst;
}

export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

export interface RidgeModel {
  readonly intercept: number;
  readonly weights: Float64Array;
}

/** Ridge on centred columns (intercept unpenalised); rows are arrays of the same length. */
export function fitRidge(rows: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>, lambda: number): RidgeModel {
  const n = rows.length;
  const p = rows[0]?.length ?? 0;
  const means = new Float64Array(p);
  for (const row of rows) for (let j = 0; j < p; j++) means[j] = (means[j] ?? 0) + (row[j] ?? 0) / n;
  const yMean = mean(y);
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const centred = new Float64Array(p);
  rows.forEach((row, i) => {
    for (let j = 0; j < p; j++) centred[j] = (row[j] ?? 0) - (means[j] ?? 0);
    const target = (y[i] ?? 0) - yMean;
    for (let j = 0; j < p; j++) {
      const cj = centred[j] ?? 0;
      xty[j] = (xty[j] ?? 0) + cj * target;
      for (let k = 0; k <= j; k++) gram[j * p + k] = (gram[j * p + k] ?? 0) + cj * (centred[k] ?? 0);
    }
  });
  for (let j = 0; j < p; j++) {
    gram[j * p + j] = (gram[j * p + j] ?? 0) + lambda;
    for (let k = 0; k < j; k++) gram[k * p + j] = gram[j * p + k] ?? 0;
  }
  const weights = solveSymmetric(gram, xty, p);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= (weights[j] ?? 0) * (means[j] ?? 0);
  return { intercept, weights };
}

export function predictRidge(model: RidgeModel, rows: ReadonlyArray<ArrayLike<number>>): Float64Array {
  return Float64Array.from(rows, (row) => {
    let value = model.intercept;
    for (let j = 0; j < model.weights.length; j++) value += (model.weights[j] ?? 0) * (row[j] ?? 0);
    return value;
  });
}

/** Cholesky solve of a symmetric positive definite system. */
function solveSymmetric(matrix: Float64Array, rhs: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * p + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (l[i * p + k] ?? 0) * (l[j * p + k] ?? 0);
      l[i * p + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / (l[j * p + j] ?? 1);
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = rhs[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (l[i * p + k] ?? 0) * (z[k] ?? 0);
    z[i] = sum / (l[i * p + i] ?? 1);
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = z[i] ?? 0;
    for (let k = i + 1; k < p; k++) sum -= (l[k * p + i] ?? 0) * (x[k] ?? 0);
    x[i] = sum / (l[i * p + i] ?? 1);
  }
  return x;
}

/** Szabo–Huberman: log1p(final) ≈ log1p(early) + r, r fitted as the mean log growth. */
export function szaboHuberman(early: readonly number[], final: readonly number[]): { readonly r: number; readonly r2: number } {
  const growth = final.map((v, i) => Math.log1p(v) - Math.log1p(early[i] ?? 0));
  const r = mean(growth);
  const predicted = early.map((v) => Math.log1p(v) + r);
  return { r, r2: rSquared(final.map((v) => Math.log1p(v)), predicted) };
}
