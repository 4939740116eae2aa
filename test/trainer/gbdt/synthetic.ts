/** Seeded synthetic data and small helpers for the GBDT tests. */
import type { FeatureMatrix, TreeEnsemble } from "../../../src/model/trees.js";
import { Rng } from "../../../trainer/gbdt/rng.js";

export function uniform(rng: Rng): number {
  return (rng.nextUint32() + 0.5) / 0x1_0000_0000;
}

export function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(uniform(rng))) * Math.cos(2 * Math.PI * uniform(rng));
}

/** A row-major float32 matrix of standard normal values. */
export function gaussianMatrix(rng: Rng, nRows: number, nCols: number): FeatureMatrix {
  const data = new Float32Array(nRows * nCols);
  for (let i = 0; i < data.length; i++) data[i] = gaussian(rng);
  return { data, nRows, nCols, layout: "row-major" };
}

/** A single-column matrix from values. */
export function column(values: readonly number[]): FeatureMatrix {
  return { data: Float64Array.from(values), nRows: values.length, nCols: 1, layout: "row-major" };
}

/** A non-linear target: y = sin(2·x0) + x1·x2 + |x3| + noise·N(0, 1). */
export function nonLinearTarget(rng: Rng, x: FeatureMatrix, noise: number): Float64Array {
  const y = new Float64Array(x.nRows);
  const d = x.nCols;
  for (let i = 0; i < x.nRows; i++) {
    const r = x.data.subarray(i * d, (i + 1) * d);
    y[i] = Math.sin(2 * r[0]) + r[1] * r[2] + Math.abs(r[3]) + noise * gaussian(rng);
  }
  return y;
}

/** Rows [from, to) of a row-major matrix. */
export function rows(x: FeatureMatrix, from: number, to: number): FeatureMatrix {
  return { data: x.data.subarray(from * x.nCols, to * x.nCols), nRows: to - from, nCols: x.nCols, layout: "row-major" };
}

export function mae(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The leaf each row of a row-major matrix reaches in tree t (raw-value traversal). */
export function leafOf(model: TreeEnsemble, t: number, row: ArrayLike<number>): number {
  let node = model.treeRoots[t];
  while (model.feature[node] >= 0) {
    const v = row[model.feature[node]];
    const left = Number.isNaN(v) ? model.missingLeft[node] === 1 : v <= model.threshold[node];
    node = left ? model.left[node] : model.right[node];
  }
  return node;
}

/** Nodes [start, end) of tree t. */
export function treeNodes(model: TreeEnsemble, t: number): { start: number; end: number } {
  const start = model.treeRoots[t];
  const end = t + 1 < model.treeRoots.length ? model.treeRoots[t + 1] : model.feature.length;
  return { start, end };
}

export function leafCount(model: TreeEnsemble, t: number): number {
  const { start, end } = treeNodes(model, t);
  let leaves = 0;
  for (let node = start; node < end; node++) if (model.feature[node] === -1) leaves++;
  return leaves;
}

export function treeDepth(model: TreeEnsemble, node: number): number {
  if (model.feature[node] === -1) return 0;
  return 1 + Math.max(treeDepth(model, model.left[node]), treeDepth(model, model.right[node]));
}

/** Ordinary least squares (normal equations, Gaussian elimination) on a row-major matrix. */
export function linearFit(x: FeatureMatrix, y: ArrayLike<number>): (x: FeatureMatrix) => Float64Array {
  const p = x.nCols + 1;
  const a = Array.from({ length: p }, () => new Float64Array(p + 1));
  for (let i = 0; i < x.nRows; i++) {
    const row = [1, ...x.data.subarray(i * x.nCols, (i + 1) * x.nCols)];
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < p; k++) a[j][k] += row[j] * row[k];
      a[j][p] += row[j] * y[i];
    }
  }
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const factor = a[r][c] / a[c][c];
      for (let k = c; k <= p; k++) a[r][k] -= factor * a[c][k];
    }
  }
  const beta = a.map((row, j) => row[p] / row[j]);
  return (m) => {
    const out = new Float64Array(m.nRows);
    for (let i = 0; i < m.nRows; i++) {
      let s = beta[0];
      for (let j = 0; j < m.nCols; j++) s += beta[j + 1] * m.data[i * m.nCols + j];
      out[i] = s;
    }
    return out;
  };
}
