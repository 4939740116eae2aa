// Proves report.html is self-contained (no script, no external reference, one <svg> per plot, the report's numbers, escaped text) and report.json round-trips.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import type { Stage } from "../../../src/features/stages.js";
import { fitMean } from "../../../trainer/baselines/mean.js";
import { fitRidge } from "../../../trainer/baselines/ridge.js";
import { fitSurrogate } from "../../../trainer/baselines/surrogate.js";
import { absoluteResiduals } from "../../../trainer/eval/conformal.js";
import { formatMetric, formatShare } from "../../../src/report/format.js";
import { permutationImportance } from "../../../trainer/eval/importance.js";
import { regressionMetrics } from "../../../trainer/eval/metrics.js";
import { buildStageReport, buildTrainingReport, summarizeConformal } from "../../../trainer/report/build.js";
import { escapeHtml } from "../../../src/report/escape.js";
import { renderReportHtml } from "../../../trainer/report/html.js";
import { reportToJson } from "../../../trainer/report/json.js";
import type { StageReport, TrainingReport } from "../../../trainer/report/types.js";
import { writeReport } from "../../../trainer/report/write.js";
import { linearPredictor, linearProblem } from "../eval/synthetic.js";

const NAMES = ["emb_0", "emb_1", "views_1h", "<b>odd & name</b>"];

/** A stage whose "model" is the true linear function, or (weak) the mean, against mean and ridge baselines. */
function stageOf(stage: Stage, seed: number, weakModel: boolean): StageReport {
  const coefficients = [1, -0.5, 2, 0];
  const train = linearProblem(800, coefficients, { seed, noise: 0.5, intercept: 8 });
  const calibration = linearProblem(300, coefficients, { seed: seed + 1, noise: 0.5, intercept: 8 });
  const testSet = linearProblem(2500, coefficients, { seed: seed + 2, noise: 0.5, intercept: 8 });
  const ridge = fitRidge(train.x, train.y);
  const mean = fitMean(train.y);
  const predict = weakModel ? mean.predict : linearPredictor(coefficients, 8);
  const predicted = predict(testSet.x);
  const scores = absoluteResiduals(calibration.y, predict(calibration.x));
  return buildStageReport({
    stage,
    counts: { train: 800, calibration: 300, test: 2500 },
    transform: "log1p",
    actual: testSet.y,
    predicted,
    modelName: weakModel ? "weak model" : "GBDT",
    baselines: [mean, ridge].map((b) => ({ name: b.name, kind: b.kind, metrics: regressionMetrics(testSet.y, b.predict(testSet.x)) })),
    conformal: summarizeConformal(scores, testSet.y, predicted, 0.1),
    importance: permutationImportance(testSet.x, testSet.y, predict, {
      names: NAMES,
      groups: [
        { name: "embedding", columns: [0, 1] },
        { name: "engagement", columns: [2] },
        { name: "metadata", columns: [3] },
      ],
      seed,
    }),
    surrogate: weakModel ? null : fitSurrogate(testSet.x, predicted, { names: NAMES, maxDepth: 2, maxRows: 400 }),
    notes: ["<script>alert('x')</script> is just text"],
    seed,
  });
}

const report: TrainingReport = buildTrainingReport({
  modelVersion: "m-0123456789ab",
  createdAt: "2026-01-02T03:04:05.000Z",
  target: { column: "views_7d", transform: "log1p" },
  split: { kind: "time", seed: null, testFraction: 0.2, calibrationFraction: 0.2 },
  dataFingerprint: { rows: 3600, sha256: "ab".repeat(32) },
  stages: [stageOf("upload", 10, true), stageOf("1h", 20, false), stageOf("6h", 30, false)],
  notes: ["synthetic data & a <note>"],
});

test("the stage data says plainly whether the model beats its best baseline", () => {
  const [upload, early] = report.stages;
  assert.equal(upload.verdict.beatsBestBaseline, false);
  assert.match(upload.verdict.text, /does NOT beat its best baseline \(ridge \(λ=1\)\)/);
  assert.equal(early.verdict.beatsBestBaseline, true);
  assert.match(early.verdict.text, /^The model beats its best baseline \(ridge \(λ=1\)\): test MAE [\d.]+ vs [\d.]+, [\d.]+% lower\.$/);
  assert.equal(early.points.actual.length, 2000, "at most 2,000 points");
  assert.equal(early.points.total, 2500);
  assert.equal(
    early.residuals.histogram.counts.reduce((a, b) => a + b, 0),
    2500,
  );
  const conformal = early.conformal;
  assert.ok(conformal !== null && Math.abs(conformal.coverage - 0.9) < 0.05);
  assert.ok(early.model.metrics.maeFactor !== null && Math.abs(early.model.metrics.maeFactor - Math.exp(early.model.metrics.mae)) < 1e-12);
  const columns = early.importance?.columns ?? [];
  assert.equal(columns[0]?.name, "views_1h", "columns sorted by importance");
});

test("report.html is self-contained: no script, no external reference, one <svg> per plot", () => {
  const html = renderReportHtml(report);
  assert.ok(html.startsWith("<!doctype html>"));
  assert.doesNotMatch(html, /https?:\/\//);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<link/i);
  assert.doesNotMatch(html, /\s(src|href)\s*=/i);
  assert.match(html, /<style>/);
  // 1 stage comparison + per stage: scatter, residual histogram, calibration, group bars, top-column bars
  const svgs = html.match(/<svg /g) ?? [];
  assert.equal(svgs.length, 1 + 5 * report.stages.length);
  assert.equal((html.match(/<\/svg>/g) ?? []).length, svgs.length);
  assert.match(html, /Predicted vs actual/);
  assert.match(html, /class="diagonal"/);
  assert.match(html, /Interval calibration/);
  assert.match(html, /Test MAE per stage/);
});

test("report.html shows the report's numbers and escapes every text", () => {
  const html = renderReportHtml(report);
  for (const stage of report.stages) {
    assert.ok(html.includes(formatMetric(stage.model.metrics.mae)), `model MAE of ${stage.stage}`);
    assert.ok(html.includes(formatMetric(stage.model.metrics.r2)));
    for (const b of stage.baselines) assert.ok(html.includes(formatMetric(b.metrics.mae)), `${b.name} MAE`);
    const c = stage.conformal;
    assert.ok(c !== null);
    assert.ok(html.includes(formatMetric(c.quantile)) && html.includes(formatShare(c.coverage)));
    assert.ok(html.includes(escapeHtml(stage.verdict.text)));
    for (const rule of stage.surrogate?.rules ?? []) assert.ok(html.includes(escapeHtml(rule)), rule);
  }
  assert.ok(html.includes("m-0123456789ab") && html.includes("ab".repeat(32)));
  assert.match(html, /does NOT beat its best baseline/);
  assert.doesNotMatch(html, /<script>|<b>odd|<note>/);
  assert.ok(html.includes("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  assert.ok(html.includes("&lt;b&gt;odd &amp; name&lt;/b&gt;"));
});

test("report.json round-trips and refuses non-finite numbers", () => {
  const json = reportToJson(report);
  const back: unknown = JSON.parse(json);
  assert.deepEqual(back, report);
  const broken: TrainingReport = { ...report, dataFingerprint: { rows: Number.NaN, sha256: "x" } };
  assert.throws(
    () => reportToJson(broken),
    (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID") && /dataFingerprint\.rows/.test(e.message),
  );
});

test("writeReport writes both files", async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "virality-report-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files = await writeReport(path.join(dir, "out"), report);
  assert.equal(await readFile(files.html, "utf8"), renderReportHtml(report));
  const back: unknown = JSON.parse(await readFile(files.json, "utf8"));
  assert.deepEqual(back, report);
});
