// Proves the backtest report renders self-contained, escaped HTML with inline SVG, a fixed-width summary, and files that round-trip.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { evaluateBacktest } from "../../src/backtest/evaluate.js";
import { backtestSummaryText, renderBacktestHtml, writeBacktestReport } from "../../src/backtest/report.js";
import { alert, outcome, score } from "./records.js";
import { syntheticBacktest } from "./world.js";

const report = evaluateBacktest(syntheticBacktest(600, 3));

test("the HTML is self-contained: inline CSS and SVG, nothing fetched", () => {
  const html = renderBacktestHtml(report);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<style>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2); // MAE bars, scatter
  assert.match(html, /<rect /);
  assert.match(html, /<circle /);
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  assert.doesNotMatch(html, /<(script|link|img|iframe)\b/i);
  assert.doesNotMatch(html, /@import|url\(/i);
  for (const stage of ["UPLOAD", "H1", "H6"]) assert.match(html, new RegExp(`<h3>${stage}</h3>`));
});

test("every text from the records is escaped", () => {
  const hostile = '<script>alert("x")</script>&';
  const escaped = evaluateBacktest({
    scores: [score("a", { target: 2, version: hostile }), score("b", { target: 3, version: hostile })],
    outcomes: [outcome("a", 10), outcome("b", 30), outcome("<img src=x>", 5)],
    alerts: [alert("b", { rule: "views_above:<b>1</b>", version: hostile })],
    targetTransform: "log1p",
    modelVersion: hostile,
  });
  const html = renderBacktestHtml(escaped);
  assert.doesNotMatch(html, /<script>|<img|<b>1/);
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;/);
  assert.match(html, /&lt;img src=x&gt;/);
  assert.match(html, /views_above:&lt;b&gt;1&lt;\/b&gt;/);
});

test("an empty backtest still renders, saying there is no data", () => {
  const empty = evaluateBacktest({ scores: [], outcomes: [], alerts: [], targetTransform: "log1p", modelVersion: "m-0" });
  const html = renderBacktestHtml(empty);
  assert.equal((html.match(/no data/g) ?? []).length, 2);
  assert.match(backtestSummaryText(empty), /precision@k: no outcomes/);
});

test("the summary is a fixed-width table with one row per stage, then precision@k and alerts", () => {
  const text = backtestSummaryText(report);
  const lines = text.split("\n");
  const header = lines.findIndex((line) => line.startsWith("stage "));
  assert.ok(header >= 0, text);
  const table = lines.slice(header, header + 4);
  assert.deepEqual(
    table.slice(1).map((line) => line.split(/\s+/)[0]),
    ["UPLOAD", "H1", "H6"],
  );
  assert.ok(table.every((line) => line.length === table[0]?.length), `misaligned:\n${table.join("\n")}`);
  const upload = report.stages[0]?.metrics;
  assert.ok(upload !== null && upload !== undefined);
  assert.match(table[1] ?? "", new RegExp(upload.mae.toFixed(4)));
  assert.match(text, /^top\s+k\s+in top 1%\s+in top 10%$/m);
  assert.match(text, /^alerts: .*recall of true top 1% \d+\.\d%/m);
});

test("writeBacktestReport writes backtest.html and backtest.json that round-trip, leaving no temp files", async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "virality-backtest-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const target = path.join(dir, "nested", "out");
  const files = await writeBacktestReport(report, target);
  assert.deepEqual(files, { html: path.join(target, "backtest.html"), json: path.join(target, "backtest.json") });
  assert.deepEqual(JSON.parse(await readFile(files.json, "utf8")), report);
  assert.equal(await readFile(files.html, "utf8"), renderBacktestHtml(report));
  await writeBacktestReport(report, target); // overwrites in place
  assert.deepEqual((await readdir(target)).sort(), ["backtest.html", "backtest.json"]);
});
