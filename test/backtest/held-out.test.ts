// Proves a backtest evaluates only the videos the bundle held out (by id or by upload time), counts the in-sample ones it skips, judges alerts on the held-out set alone, and says plainly when an old bundle leaves it in-sample.
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateBacktest } from "../../src/backtest/evaluate.js";
import { IN_SAMPLE_NOTE } from "../../src/backtest/evaluation-set.js";
import { backtestSummaryText, renderBacktestHtml } from "../../src/backtest/report.js";
import type { BacktestInput } from "../../src/backtest/types.js";
import { T0, VERSION, alert, outcome, score, shuffled } from "./records.js";
import { syntheticBacktest } from "./world.js";

const DAY = 86_400_000;

/** Ten videos v0…v9 (views growing with the index) scored at UPLOAD and H6; v3 and v7 alerted. */
function tenVideos(): BacktestInput {
  const ids = Array.from({ length: 10 }, (_, i) => `v${i}`);
  return {
    scores: ids.flatMap((id, i) => [score(id, { target: 2 + i / 2 }), score(id, { stage: "H6", target: 2.5 + i / 2, at: T0 + 6 * 3_600_000 })]),
    outcomes: ids.map((id, i) => outcome(id, Math.round(Math.expm1(2.4 + i / 2)))),
    alerts: [alert("v3"), alert("v7")],
    targetTransform: "log1p",
    modelVersion: VERSION,
  };
}

const uploadTimes = new Map(Array.from({ length: 10 }, (_, i) => [`v${i}`, T0 + i * DAY] as const));

test("a bundle's held-out ids restrict every figure to those videos, and the skipped ones are counted", () => {
  const input = tenVideos();
  const held = new Set(["v6", "v7", "v8", "v9"]);
  const report = evaluateBacktest({ ...input, heldOut: { kind: "videos", ids: ["v6", "v7", "v8", "v9", "x-not-on-topics"] } });
  const only = evaluateBacktest({
    ...input,
    scores: input.scores.filter((s) => held.has(s.video_id)),
    outcomes: input.outcomes.filter((o) => held.has(o.video_id)),
    alerts: input.alerts.filter((a) => held.has(a.video_id)),
  });
  assert.deepEqual(report.evaluation, {
    basis: "held-out",
    heldOut: { kind: "videos", rows: 5 },
    videosHeldOut: 4,
    videosInSampleSkipped: 6,
    videosWithoutUploadTime: 0,
    note: "held out: 4 videos the model did not see (among its 5 test videos) are evaluated; 6 in-sample videos skipped (or not in its training table)",
  });
  assert.deepEqual({ ...report, evaluation: null }, { ...only, evaluation: null });
  assert.equal(report.coverage.videosEvaluated, 4);
  assert.deepEqual(report.stages.map((stage) => stage.n), [4, 0, 4]); // UPLOAD, H1 (never scored), H6
});

test("an uploadedFrom record holds out the videos uploaded at or after it; videos without an upload time are skipped and counted", () => {
  const input = tenVideos();
  const times = new Map(uploadTimes);
  times.delete("v9");
  const report = evaluateBacktest({ ...input, heldOut: { kind: "uploadedFrom", at: T0 + 5 * DAY, rows: 5 }, uploadedAt: times });
  const e = report.evaluation;
  assert.equal(e.basis, "held-out");
  assert.equal(e.videosHeldOut, 4); // v5…v8
  assert.equal(e.videosInSampleSkipped, 5); // v0…v4
  assert.equal(e.videosWithoutUploadTime, 1); // v9
  assert.match(e.note, /^held out: 4 videos the model did not see \(uploaded at or after 2026-01-10T12:00:00\.000Z, after every training and calibration row\) are evaluated; 5 in-sample videos skipped, and 1 without an upload time$/);
  assert.equal(report.coverage.videosEvaluated, 4);
  assert.deepEqual(report.scatter.points.map((p) => p.videoId), ["v5", "v6", "v7", "v8"]);
});

test("alert precision and recall are judged on the held-out videos alone", () => {
  const report = evaluateBacktest({ ...tenVideos(), heldOut: { kind: "uploadedFrom", at: T0 + 5 * DAY, rows: 5 }, uploadedAt: uploadTimes });
  const a = report.alerts;
  assert.equal(a.records, 1, "the alert of in-sample v3 is left out");
  assert.equal(a.videosAlerted, 1);
  // held out: v5…v9; true top 10% of 5 videos is the single largest, v9, which got no alert
  assert.equal(report.ranking.top10?.size, 1);
  assert.equal(a.recallTop10, 0);
  assert.equal(a.precisionTop10, 0);
  const everything = evaluateBacktest(tenVideos()).alerts;
  assert.equal(everything.records, 2);
});

test("a bundle that does not record its held-out videos is evaluated in-sample, and the report, summary and HTML say so", () => {
  const report = evaluateBacktest(tenVideos());
  assert.deepEqual(report.evaluation, {
    basis: "in-sample",
    heldOut: null,
    videosHeldOut: null,
    videosInSampleSkipped: 0,
    videosWithoutUploadTime: 0,
    note: IN_SAMPLE_NOTE,
  });
  assert.ok(IN_SAMPLE_NOTE.startsWith("in-sample: the bundle does not record its held-out videos"));
  assert.equal(report.coverage.videosEvaluated, 10);
  const text = backtestSummaryText(report);
  assert.equal(text.split("\n")[1], IN_SAMPLE_NOTE, text);
  const html = renderBacktestHtml(report);
  assert.match(html, /<p class="evaluation in-sample"><strong>in-sample: the bundle does not record its held-out videos/);
  const json: unknown = JSON.parse(JSON.stringify(report));
  assert.deepEqual(json, report);
});

test("a held-out report shows its counts in the summary and the HTML", () => {
  const report = evaluateBacktest({ ...tenVideos(), heldOut: { kind: "videos", ids: ["v8", "v9"] } });
  assert.equal(backtestSummaryText(report).split("\n")[1], report.evaluation.note);
  const html = renderBacktestHtml(report);
  assert.match(html, /<p class="evaluation held-out"><strong>held out: 2 videos/);
  assert.match(html, /<th scope="row">in-sample videos skipped<\/th><td>8<\/td>/);
});

test("with a held-out set, shuffled records and upload times still give an identical report", () => {
  const input = syntheticBacktest(3000, 9);
  const videoIds = [...new Set(input.outcomes.map((o) => o.video_id))].sort();
  const uploadedAt = new Map(videoIds.map((id, i) => [id, T0 + (i % 40) * DAY] as const));
  const heldOut = { kind: "uploadedFrom", at: T0 + 30 * DAY, rows: 700 } as const;
  const report = evaluateBacktest({ ...input, heldOut, uploadedAt });
  assert.equal(report.evaluation.basis, "held-out");
  assert.ok((report.evaluation.videosHeldOut ?? 0) > 500 && report.evaluation.videosInSampleSkipped > 2000);
  const again = evaluateBacktest({
    ...input,
    heldOut,
    uploadedAt: new Map(shuffled([...uploadedAt], 3)),
    scores: shuffled(input.scores, 4),
    outcomes: shuffled(input.outcomes, 5),
    alerts: shuffled(input.alerts, 6),
  });
  assert.equal(JSON.stringify(again), JSON.stringify(report));
});
