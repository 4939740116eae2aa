// Proves the per-stage metrics, the stage-on-stage improvement, the Szabo–Huberman comparison and the coverage counts on a tiny hand-computed case.
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateBacktest } from "../../src/backtest/evaluate.js";
import type { BacktestInput, StageReport } from "../../src/backtest/types.js";
import { isViralityError } from "../../src/errors.js";
import { T0, VERSION, outcome, score } from "./records.js";

const close = (actual: number | null | undefined, expected: number, what: string): void => {
  assert.ok(typeof actual === "number" && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);
};

// Realized views 0, 9, 99: log1p gives 0, ln 10, ln 100.
const Y = { a: 0, b: Math.log(10), c: Math.log(100), d: Math.log1p(500) };

/**
 * UPLOAD scores a, b, c (a rescored: its first score is superseded) and f (no outcome);
 * H1 scores b, c, d; e has an outcome but no score.
 */
function tinyInput(): BacktestInput {
  return {
    scores: [
      score("a", { target: 4, at: T0 - 1 }),
      score("a", { target: 1, low: 0, high: 5 }),
      score("b", { target: 3, low: 10, high: 20 }),
      score("c", { target: 2, low: 50, high: 200 }),
      score("f", { target: 2 }),
      score("b", { stage: "H1", target: 2.5, low: 5, high: 15, at: T0 + 3_600_000 }),
      score("c", { stage: "H1", target: 4.5, low: 50, high: 200, at: T0 + 3_600_000 }),
      score("d", { stage: "H1", target: 6, low: 100, high: 1000, at: T0 + 3_600_000 }),
    ],
    outcomes: [outcome("a", 0), outcome("b", 9), outcome("c", 99), outcome("d", 500), outcome("e", 7)],
    alerts: [],
    targetTransform: "log1p",
    modelVersion: VERSION,
    earlyViews: new Map([
      ["b", { "1h": 2 }],
      ["c", { "1h": 20 }],
    ]),
    shGrowth: { "1h": 1.5 },
  };
}

function stageOf(stages: readonly StageReport[], name: StageReport["stage"]): StageReport {
  const found = stages.find((stage) => stage.stage === name);
  assert.ok(found !== undefined, `no ${name} in the report`);
  return found;
}

test("UPLOAD metrics match hand-computed MAE, R², Spearman, exp(MAE), coverage and width", () => {
  const report = evaluateBacktest(tinyInput());
  const upload = stageOf(report.stages, "UPLOAD");
  assert.equal(upload.n, 3);
  const m = upload.metrics;
  assert.ok(m !== null);
  const errors = [Math.abs(Y.a - 1), Math.abs(Y.b - 3), Math.abs(Y.c - 2)];
  const mae = (errors[0] + errors[1] + errors[2]) / 3;
  close(m.mae, mae, "MAE");
  close(m.maeFactor, Math.exp(mae), "exp(MAE)");
  const mean = (Y.a + Y.b + Y.c) / 3;
  const ssRes = (Y.a - 1) ** 2 + (Y.b - 3) ** 2 + (Y.c - 2) ** 2;
  const ssTot = (Y.a - mean) ** 2 + (Y.b - mean) ** 2 + (Y.c - mean) ** 2;
  close(m.r2, 1 - ssRes / ssTot, "R²");
  close(m.spearman, 0.5, "Spearman"); // ranks (1,2,3) vs (1,3,2): 1 − 6·2/(3·8)
  close(m.intervalCoverage, 2 / 3, "coverage"); // b: 9 is below [10, 20]
  close(m.meanIntervalWidthLog, (Math.log1p(5) + Math.log1p(20) - Math.log1p(10) + Math.log1p(200) - Math.log1p(50)) / 3, "width");
  assert.equal(m.nominalLevel, 0.9);
  assert.equal(upload.improvement, null);
  assert.equal(upload.szaboHuberman, null);
});

test("the H1 improvement is computed only on the videos scored at both UPLOAD and H1", () => {
  const h1 = stageOf(evaluateBacktest(tinyInput()).stages, "H1");
  assert.equal(h1.n, 3); // b, c, d
  const improvement = h1.improvement;
  assert.ok(improvement !== null);
  assert.equal(improvement.previous, "UPLOAD");
  assert.equal(improvement.n, 2); // b and c; d has no UPLOAD score, a no H1 score
  const before = (Math.abs(Y.b - 3) + Math.abs(Y.c - 2)) / 2;
  const after = (Math.abs(Y.b - 2.5) + Math.abs(Y.c - 4.5)) / 2;
  close(improvement.maePrevious, before, "MAE before");
  close(improvement.mae, after, "MAE after");
  close(improvement.maeReduction, before - after, "reduction");
  close(improvement.maeReductionPct, (100 * (before - after)) / before, "reduction %");
  // H1 MAE on all its videos differs from the improvement's, which is on b and c only.
  close(h1.metrics?.mae, (Math.abs(Y.b - 2.5) + Math.abs(Y.c - 4.5) + Math.abs(Y.d - 6)) / 3, "H1 MAE");
  assert.equal(stageOf(evaluateBacktest(tinyInput()).stages, "H6").improvement, null);
});

test("Szabo–Huberman is compared on the H1 videos with 1h views: ŷ = log1p(views_1h) + r", () => {
  const sh = stageOf(evaluateBacktest(tinyInput()).stages, "H1").szaboHuberman;
  assert.ok(sh !== null);
  assert.equal(sh.window, "1h");
  assert.equal(sh.r, 1.5);
  assert.equal(sh.n, 2);
  assert.equal(sh.nWithoutViews, 1); // d
  const maeSh = (Math.abs(Y.b - (Math.log1p(2) + 1.5)) + Math.abs(Y.c - (Math.log1p(20) + 1.5))) / 2;
  const maeModel = (Math.abs(Y.b - 2.5) + Math.abs(Y.c - 4.5)) / 2;
  close(sh.maeSzaboHuberman, maeSh, "SH MAE");
  close(sh.maeModel, maeModel, "model MAE");
  close(sh.modelGainPct, (100 * (maeSh - maeModel)) / maeSh, "gain");
});

test("without early views or r there is no Szabo–Huberman comparison", () => {
  const { earlyViews: _views, ...withoutViews } = tinyInput();
  assert.equal(stageOf(evaluateBacktest(withoutViews).stages, "H1").szaboHuberman, null);
  assert.equal(stageOf(evaluateBacktest({ ...tinyInput(), shGrowth: {} }).stages, "H1").szaboHuberman, null);
  assert.throws(
    () => evaluateBacktest({ ...tinyInput(), shGrowth: { "6h": Number.NaN } }),
    (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID") && /r for 6h is NaN/.test(e.message),
  );
});

test("coverage counts outcomes without a score and scores without an outcome", () => {
  const { coverage } = evaluateBacktest(tinyInput());
  assert.deepEqual(coverage, {
    scoreRecords: 8,
    scoreRecordsOtherVersion: 0,
    scoreRecordsSuperseded: 1,
    otherModelVersions: [],
    outcomeRecords: 5,
    outcomeRecordsOtherHorizon: 0,
    outcomeRecordsSuperseded: 0,
    videosScored: 5, // a, b, c, d, f
    videosWithOutcome: 5, // a, b, c, d, e
    videosEvaluated: 4,
    outcomesWithoutScore: 1,
    outcomesWithoutScoreIds: ["e"],
    scoresWithoutOutcome: 1,
    scoresWithoutOutcomeIds: ["f"],
  });
});

test("the example ids of unscored outcomes are the first ten by id", () => {
  const outcomes = Array.from({ length: 25 }, (_, i) => outcome(`v${String(24 - i).padStart(2, "0")}`, i));
  const report = evaluateBacktest({ scores: [], outcomes, alerts: [], targetTransform: "log1p", modelVersion: VERSION });
  assert.equal(report.coverage.outcomesWithoutScore, 25);
  assert.deepEqual(report.coverage.outcomesWithoutScoreIds, ["v00", "v01", "v02", "v03", "v04", "v05", "v06", "v07", "v08", "v09"]);
  assert.ok(report.stages.every((stage) => stage.n === 0 && stage.metrics === null));
  assert.deepEqual(report.scatter, { stage: null, total: 0, points: [] });
});

test("a constant prediction has no Spearman ρ: null, not NaN", () => {
  const report = evaluateBacktest({
    scores: [score("a", { target: 2 }), score("b", { target: 2 })],
    outcomes: [outcome("a", 1), outcome("b", 100)],
    alerts: [],
    targetTransform: "log1p",
    modelVersion: VERSION,
  });
  assert.equal(stageOf(report.stages, "UPLOAD").metrics?.spearman, null);
});
