// Proves precision@k of the ranking by final predicted views and the precision and recall of published alerts on a constructed case.
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateBacktest } from "../../src/backtest/evaluate.js";
import { topCount, trueTop } from "../../src/backtest/ranking.js";
import type { BacktestInput } from "../../src/backtest/types.js";
import { T0, VERSION, alert, outcome, score } from "./records.js";

const id = (i: number): string => `v${String(i).padStart(3, "0")}`;

/**
 * 200 videos, v{i} realized i views: the true top 1% is v198, v199 (⌈2⌉), the top 10% v180…v199.
 * Every video but v000 is scored at UPLOAD with predicted views = i, v199 rescored at H1 with 5 views
 * (its final score: the model misses it), and v010 at H1 with 10,000 (a false top pick).
 */
function constructed(): BacktestInput {
  const scores = [];
  for (let i = 1; i < 200; i++) scores.push(score(id(i), { target: Math.log1p(i) }));
  scores.push(score(id(199), { stage: "H1", target: Math.log1p(5), at: T0 + 3_600_000 }));
  scores.push(score(id(10), { stage: "H1", target: Math.log1p(10_000), at: T0 + 3_600_000 }));
  return {
    scores,
    outcomes: Array.from({ length: 200 }, (_, i) => outcome(id(i), i)),
    alerts: [
      alert(id(198), { stage: "H1", rule: "channel_multiple:5", at: T0 + 3_600_000 }),
      alert(id(198), { stage: "UPLOAD", at: T0 }),
      alert(id(150), { stage: "H1", at: T0 + 3_600_000 }),
      alert(id(185)),
      alert("no-outcome"),
      alert(id(199), { version: "m-6" }),
    ],
    targetTransform: "log1p",
    modelVersion: VERSION,
  };
}

test("precision@k counts the top-k by final predicted views in the true top 1% and 10%", () => {
  const { ranking } = evaluateBacktest(constructed());
  assert.equal(ranking.videosWithOutcome, 200);
  assert.equal(ranking.ranked, 199); // v000 has no score
  assert.deepEqual(ranking.top1, { threshold: 198, size: 2 });
  assert.deepEqual(ranking.top10, { threshold: 180, size: 20 });
  // Ranked: v010 (10,000), then v198, v197, … down; v199 (5 views) near the bottom.
  assert.deepEqual(
    ranking.precisionAtK.map((row) => [row.label, row.k, row.precisionTop1, row.precisionTop10]),
    [
      ["1%", 2, 1 / 2, 1 / 2], // v010, v198
      ["10", 10, 1 / 10, 9 / 10], // v010, v198…v190
      ["50", 50, 1 / 50, 19 / 50], // v010, v198…v150: 19 of them in v180…v198
      ["100", 100, 1 / 100, 19 / 100],
    ],
  );
});

test("k larger than the ranked videos is left out, and a 1% equal to a fixed k is labelled once", () => {
  const outcomes = Array.from({ length: 1000 }, (_, i) => outcome(id(i), i));
  const scores = Array.from({ length: 60 }, (_, i) => score(id(i), { target: Math.log1p(i) }));
  const { ranking } = evaluateBacktest({ scores, outcomes, alerts: [], targetTransform: "log1p", modelVersion: VERSION });
  assert.deepEqual(
    ranking.precisionAtK.map((row) => [row.label, row.k]),
    [
      ["10 = 1%", 10],
      ["50", 50],
    ],
  );
});

test("alert recall is the share of the true top 1% with an alert; precision the share of alerted videos in the top 10%", () => {
  const { alerts } = evaluateBacktest(constructed());
  assert.equal(alerts.records, 5);
  assert.equal(alerts.recordsOtherVersion, 1); // v199's alert of m-6 does not count
  assert.equal(alerts.videosAlerted, 4); // v198 (twice), v150, v185, no-outcome
  assert.equal(alerts.videosAlertedWithoutOutcome, 1);
  assert.equal(alerts.recallTop1, 1 / 2); // v198 of v198, v199
  assert.equal(alerts.recallTop10, 2 / 20); // v198, v185
  assert.equal(alerts.precisionTop10, 2 / 3); // of v198, v150, v185
  assert.equal(alerts.precisionTop1, 1 / 3);
  assert.deepEqual(
    alerts.byFirstStage.map((g) => [g.key, g.videos, g.withOutcome, g.inTop1, g.inTop10]),
    [
      ["UPLOAD", 3, 2, 1, 2], // v198 (first alert at UPLOAD), v185, no-outcome
      ["H1", 1, 1, 0, 0], // v150
      ["H6", 0, 0, 0, 0],
    ],
  );
  assert.deepEqual(
    alerts.byRule.map((g) => [g.key, g.videos, g.inTop10, g.precisionTop10]),
    [
      ["channel_multiple:5", 1, 1, 1],
      ["views_above:100000", 4, 2, 2 / 3],
    ],
  );
});

test("a top share includes every video tied at its threshold", () => {
  const top = trueTop(
    new Map([
      ["a", 10],
      ["b", 10],
      ["c", 5],
      ["d", 1],
    ]),
    25,
  );
  assert.deepEqual(top?.threshold, 10);
  assert.deepEqual([...(top?.members ?? [])].sort(), ["a", "b"]);
  assert.equal(trueTop(new Map(), 1), null);
  assert.equal(topCount(300, 1), 3); // no 0.01·300 rounding
  assert.equal(topCount(301, 1), 4);
  assert.equal(topCount(5, 1), 1);
});

test("without alerts the alert shares are null, not NaN", () => {
  const report = evaluateBacktest({ ...constructed(), alerts: [] });
  assert.equal(report.alerts.precisionTop10, null);
  assert.equal(report.alerts.recallTop1, 0);
  assert.deepEqual(report.alerts.byRule, []);
});
