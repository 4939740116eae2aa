// Proves a backtest report depends on the records only, not on the order they are given in, and that its scatter is a fixed sample.
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateBacktest } from "../../src/backtest/evaluate.js";
import { SCATTER_LIMIT } from "../../src/backtest/sample.js";
import { shuffled } from "./records.js";
import { syntheticBacktest } from "./world.js";

test("shuffled scores, outcomes, alerts and early views give an identical report", () => {
  const input = syntheticBacktest(4000, 7);
  const report = evaluateBacktest(input);
  for (const seed of [1, 2]) {
    const again = evaluateBacktest({
      ...input,
      scores: shuffled(input.scores, seed),
      outcomes: shuffled(input.outcomes, seed + 10),
      alerts: shuffled(input.alerts, seed + 20),
      earlyViews: new Map(shuffled([...(input.earlyViews ?? new Map())], seed + 30)),
    });
    assert.deepEqual(again, report);
    assert.equal(JSON.stringify(again), JSON.stringify(report));
  }
});

test("the scatter holds at most 2,000 points of the last stage, the same ones for any order", () => {
  const input = syntheticBacktest(4000, 7);
  const report = evaluateBacktest(input);
  const h6 = report.stages.find((stage) => stage.stage === "H6");
  assert.equal(report.scatter.stage, "H6");
  assert.equal(report.scatter.total, h6?.n);
  assert.ok(report.scatter.total > SCATTER_LIMIT, `only ${report.scatter.total} H6 videos`);
  assert.equal(report.scatter.points.length, SCATTER_LIMIT);
  const ids = report.scatter.points.map((point) => point.videoId);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(ids).size, ids.length);
});

test("the synthetic backtest exercises every part of the report", () => {
  const report = evaluateBacktest(syntheticBacktest(4000, 7));
  assert.ok(report.coverage.outcomesWithoutScore > 0 && report.coverage.scoresWithoutOutcome > 0);
  assert.ok(report.coverage.scoreRecordsSuperseded > 0 && report.coverage.outcomeRecordsSuperseded > 0);
  assert.ok(report.stages.every((stage) => stage.n > 0 && stage.metrics !== null));
  assert.ok(report.stages.slice(1).every((stage) => stage.improvement !== null && stage.szaboHuberman !== null));
  assert.ok(report.alerts.videosAlerted > 0);
  assert.equal(report.ranking.precisionAtK.length, 4);
});
