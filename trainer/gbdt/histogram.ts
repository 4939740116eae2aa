/**
 * Histogram kernels. A node's histograms are one Float64Array holding, for each feature f and bin
 * b, the sum of gradients at [f * stride + 2b] and the sample count at [f * stride + 2b + 1]
 * (stride = 2 × (maxBins + 1)). The loss is squared error, so hessians are constant (1) and the
 * count doubles as the sum of hessians, as in sklearn's constant-hessian path.
 *
 * Bins are column-major uint8 (bins[f * nSamples + row]). Kernels work on a block of features so a
 * caller can build, subtract and scan a few features while they are hot in cache; the 8-feature
 * variants interleave independent accumulations, which is what makes them fast in V8.
 */

/** Zeroes the histograms of features [f0, f1). */
export function clearHistograms(hist: Float64Array, stride: number, f0: number, f1: number): void {
  hist.fill(0, f0 * stride, f1 * stride);
}

/**
 * Adds the samples partition[start .. start + count) to the histograms of features [f0, f1),
 * reading their gradients from `ordered` (ordered[i] = gradient of partition[start + i]).
 */
export function accumulateIndexed(
  hist: Float64Array,
  stride: number,
  bins: Uint8Array,
  nSamples: number,
  f0: number,
  f1: number,
  partition: Uint32Array,
  start: number,
  count: number,
  ordered: Float32Array,
): void {
  let f = f0;
  for (; f + 8 <= f1; f += 8) {
    const c0 = f * nSamples;
    const c1 = c0 + nSamples;
    const c2 = c1 + nSamples;
    const c3 = c2 + nSamples;
    const c4 = c3 + nSamples;
    const c5 = c4 + nSamples;
    const c6 = c5 + nSamples;
    const c7 = c6 + nSamples;
    const h0 = f * stride;
    const h1 = h0 + stride;
    const h2 = h1 + stride;
    const h3 = h2 + stride;
    const h4 = h3 + stride;
    const h5 = h4 + stride;
    const h6 = h5 + stride;
    const h7 = h6 + stride;
    for (let i = 0; i < count; i++) {
      const row = partition[start + i];
      const g = ordered[i];
      let k = h0 + (bins[c0 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
      k = h1 + (bins[c1 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
      k = h2 + (bins[c2 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
      k = h3 + (bins[c3 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
      k = h4 + (bins[c4 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
      k = h5 + (bins[c5 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
      k = h6 + (bins[c6 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
      k = h7 + (bins[c7 + row] << 1);
      hist[k] += g;
      hist[k + 1] += 1;
    }
  }
  for (; f < f1; f++) {
    const c = f * nSamples;
    const h = f * stride;
    for (let i = 0; i < count; i++) {
      const k = h + (bins[c + partition[start + i]] << 1);
      hist[k] += ordered[i];
      hist[k + 1] += 1;
    }
  }
}

/** Adds all samples' gradients (not counts) to the histograms of features [f0, f1). */
export function accumulateAllGradients(
  hist: Float64Array,
  stride: number,
  bins: Uint8Array,
  nSamples: number,
  f0: number,
  f1: number,
  gradients: Float32Array,
): void {
  let f = f0;
  for (; f + 8 <= f1; f += 8) {
    const c0 = f * nSamples;
    const c1 = c0 + nSamples;
    const c2 = c1 + nSamples;
    const c3 = c2 + nSamples;
    const c4 = c3 + nSamples;
    const c5 = c4 + nSamples;
    const c6 = c5 + nSamples;
    const c7 = c6 + nSamples;
    const h0 = f * stride;
    const h1 = h0 + stride;
    const h2 = h1 + stride;
    const h3 = h2 + stride;
    const h4 = h3 + stride;
    const h5 = h4 + stride;
    const h6 = h5 + stride;
    const h7 = h6 + stride;
    for (let i = 0; i < nSamples; i++) {
      const g = gradients[i];
      hist[h0 + (bins[c0 + i] << 1)] += g;
      hist[h1 + (bins[c1 + i] << 1)] += g;
      hist[h2 + (bins[c2 + i] << 1)] += g;
      hist[h3 + (bins[c3 + i] << 1)] += g;
      hist[h4 + (bins[c4 + i] << 1)] += g;
      hist[h5 + (bins[c5 + i] << 1)] += g;
      hist[h6 + (bins[c6 + i] << 1)] += g;
      hist[h7 + (bins[c7 + i] << 1)] += g;
    }
  }
  for (; f < f1; f++) {
    const c = f * nSamples;
    const h = f * stride;
    for (let i = 0; i < nSamples; i++) hist[h + (bins[c + i] << 1)] += gradients[i];
  }
}

/** Counts of all samples per bin (the root's counts, the same every iteration). */
export function countAll(
  counts: Float64Array,
  stride: number,
  bins: Uint8Array,
  nSamples: number,
  f0: number,
  f1: number,
): void {
  counts.fill(0, f0 * stride, f1 * stride);
  for (let f = f0; f < f1; f++) {
    const c = f * nSamples;
    const h = f * stride + 1;
    for (let i = 0; i < nSamples; i++) counts[h + (bins[c + i] << 1)] += 1;
  }
}

/** Copies the count entries (odd positions) of features [f0, f1) from `counts` into `hist`. */
export function copyCounts(hist: Float64Array, counts: Float64Array, stride: number, f0: number, f1: number): void {
  for (let k = f0 * stride + 1, end = f1 * stride; k < end; k += 2) hist[k] = counts[k];
}

/** parent -= child over features [f0, f1): turns a parent's histograms into its sibling's. */
export function subtractInPlace(parent: Float64Array, child: Float64Array, stride: number, f0: number, f1: number): void {
  for (let k = f0 * stride, end = f1 * stride; k < end; k++) parent[k] -= child[k];
}
