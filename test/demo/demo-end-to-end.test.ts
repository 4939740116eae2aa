// Proves the whole loop on a reduced world: simulate, train, publish, score a stream, backtest — every
// video gets a score, the backtest judges only the 20% the model held out, and there the 6h stage beats the upload stage.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { demoConfig, runDemo } from "../../src/cli/commands/demo.js";
import { cleanUp, testConfig } from "../support/services.js";

test("the demo loop scores every video and its 6h stage beats the upload stage", async (t) => {
  const config = await testConfig(t);
  t.after(() => cleanUp(demoConfig(config)));
  const out = mkdtempSync(path.join(tmpdir(), "virality-demo-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const lines: string[] = [];
  const { scored, backtest } = await runDemo(config, { videos: 400, seconds: 8, out, seed: 11 }, (line) => lines.push(line));
  const report = backtest.report;
  assert.equal(scored, 400, "every video got a live score");
  assert.equal(report.coverage.outcomesWithoutScore, 0);
  assert.equal(report.evaluation.basis, "held-out", report.evaluation.note);
  assert.equal(report.evaluation.videosHeldOut, 80, "the newest 20% of uploads, the trainer's test rows");
  assert.equal(report.evaluation.videosInSampleSkipped, 320);
  assert.equal(report.coverage.videosEvaluated, 80);
  assert.ok(lines.some((l) => l.includes(report.evaluation.note)), "the printed summary says what it evaluates");
  const byStage = new Map(report.stages.map((s) => [s.stage, s]));
  const upload = byStage.get("UPLOAD")?.metrics;
  const six = byStage.get("H6")?.metrics;
  assert.ok(upload && six, "both stages evaluated");
  assert.ok(six.mae < upload.mae, `6h MAE ${six.mae} < upload MAE ${upload.mae}`);
  assert.ok(six.r2 > upload.r2);
  assert.ok(existsSync(path.join(out, "backtest", "backtest.html")) && existsSync(path.join(out, "model", "report.html")));
  assert.ok(lines.some((l) => l.includes("backtest report")));
  // the backtest removed its run's output topics and their registry subjects
  const subjects: unknown = await (await fetch(`${config.registry.url}/subjects`)).json();
  assert.ok(Array.isArray(subjects));
  const leftover = subjects.filter((s) => typeof s === "string" && s.startsWith(`${demoConfig(config).topics.scores}.backtest-`));
  assert.deepEqual(leftover, [], "the backtest left its subjects in the registry");
});
