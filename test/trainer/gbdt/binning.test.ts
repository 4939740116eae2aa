// Pins bin thresholds to numpy/sklearn values (midpoints of distinct values, "midpoint" and "averaged_inverted_cdf" percentiles) and the bin of every value.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BinMapper } from "../../../trainer/gbdt/binning.js";
import { fitBinMapper, numericThresholds, transformToBins } from "../../../trainer/gbdt/binning.js";
import { column } from "./synthetic.js";

// 50 values with ties, all ×0.5 + 0.1; expected thresholds printed by numpy 2.4 / sklearn 1.9
const VALUES = [
  3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8, 8, 4, 1, 9, 7,
  1, 6, 9, 3, 9, 9, 3, 7, 5, 1,
].map((v) => v * 0.5 + 0.1);
const sorted = Float64Array.from(VALUES).sort();

test("few distinct values: thresholds are the midpoints between them", () => {
  assert.deepEqual(
    Array.from(numericThresholds(sorted, 10, "midpoint")),
    [0.35, 0.8500000000000001, 1.35, 1.85, 2.35, 2.85, 3.35, 3.8499999999999996, 4.35],
  );
  assert.deepEqual(Array.from(numericThresholds(Float64Array.of(7, 7, 7), 255, "midpoint")), [], "one value, no threshold");
});

test("many distinct values: numpy percentiles, method midpoint or averaged_inverted_cdf (deduplicated)", () => {
  assert.deepEqual(Array.from(numericThresholds(sorted, 4, "midpoint")), [1.6, 2.6, 3.8499999999999996]);
  assert.deepEqual(Array.from(numericThresholds(sorted, 4, "averaged_inverted_cdf")), [1.6, 2.6, 4.1]);
  assert.deepEqual(Array.from(numericThresholds(sorted, 7, "midpoint")), [1.1, 1.6, 2.1, 2.85, 3.6, 4.6]);
  // sklearn >= 1.6 drops duplicate thresholds (here none collide at 7 bins)
  assert.deepEqual(Array.from(numericThresholds(sorted, 7, "averaged_inverted_cdf")), [1.1, 1.6, 2.1, 2.6, 3.6, 4.6]);
  assert.deepEqual(
    Array.from(numericThresholds(Float64Array.of(1, 1, 1, 1, 1, 1, 2, 3), 2, "averaged_inverted_cdf")),
    [1],
  );
});

test("huge values are clipped to 1e300: +Infinity stays reserved for splits on missing values", () => {
  assert.deepEqual(Array.from(numericThresholds(Float64Array.of(0, Infinity), 255, "midpoint")), [1e300]);
});

function fitColumn(values: readonly number[], maxBins: number): { mapper: BinMapper; bins: Uint8Array } {
  const x = column(values);
  const rows = Uint32Array.from(values.keys());
  const bins = new Uint8Array(values.length);
  const mapper = fitBinMapper(x, rows, rows, { maxBins, subsample: 200_000, categoricalFeatures: [], seed: 0, quantileMethod: "midpoint" }, bins);
  return { mapper, bins };
}

test("value x goes to bin i iff threshold[i-1] < x <= threshold[i]; NaN to the missing bin", () => {
  const values = [0.1, 5, NaN, 2.35, 2.36, -Infinity, Infinity, 3];
  const { mapper, bins } = fitColumn([...VALUES, ...values], 10);
  const t = mapper.thresholds[0];
  const expected = values.map((v) => (Number.isNaN(v) ? 10 : t.filter((th) => th < v).length));
  assert.deepEqual(Array.from(bins.subarray(VALUES.length)), expected);
  assert.equal(bins[VALUES.length + 3], 4, "2.35 is a threshold itself: it goes left, into bin 4");
  // the fit-time path (sorted walk) and the transform path agree
  const again = new Uint8Array(bins.length);
  const x = column([...VALUES, ...values]);
  transformToBins(mapper, x, Uint32Array.from(x.data.keys()), again);
  assert.deepEqual(again, bins);
});

test("float64 values that are not float32 take the comparison-sort path to the same bins", () => {
  const values = Array.from({ length: 600 }, (_, i) => Math.sin(i) * 1e-3 + i / 7);
  const { mapper, bins } = fitColumn(values, 255);
  assert.equal(mapper.nBinsNonMissing[0], 255);
  const again = new Uint8Array(bins.length);
  transformToBins(mapper, column(values), Uint32Array.from(values.keys()), again);
  assert.deepEqual(again, bins);
});

test("more rows than binSubsample: thresholds from a seeded subsample, every row binned against them", () => {
  const values = Array.from({ length: 600 }, (_, i) => ((i * 7919) % 600) / 10);
  const x = column(values);
  const rows = Uint32Array.from(values.keys());
  const bins = new Uint8Array(values.length);
  const options = { maxBins: 255, subsample: 50, categoricalFeatures: [], seed: 3, quantileMethod: "midpoint" as const };
  const mapper = fitBinMapper(x, rows, rows, options, bins);
  const t = mapper.thresholds[0];
  assert.equal(t.length, 49, "50 sampled distinct values give 49 midpoints");
  for (let i = 0; i < values.length; i++) assert.equal(bins[i], t.filter((th) => th < values[i]).length);
  const again = fitBinMapper(x, rows, rows, options);
  assert.deepEqual(again.thresholds, mapper.thresholds, "the subsample is seeded");
});
