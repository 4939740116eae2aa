/**
 * The backtest report for people and for machines: a self-contained HTML page (inline CSS and SVG,
 * nothing fetched) that opens by saying which videos it evaluates, the terminal summary, and
 * backtest.html + backtest.json written atomically.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { formatCount, formatFixed, formatGainPct, formatMetric, formatShare, formatViews, NONE } from "../report/format.js";
import { escapeHtml } from "../report/escape.js";
import { barChart, scatterPlot } from "../report/svg.js";
import type { AlertGroup, BacktestReport, StageReport } from "./types.js";

export { backtestSummaryText } from "./summary-text.js";

export interface BacktestReportFiles {
  readonly html: string;
  readonly json: string;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f4f4f4; }
.note { color: #666; font-size: 0.85rem; }
.evaluation { padding: 0.5rem 0.8rem; border-left: 4px solid #2e6fbf; background: #f4f8fd; }
.evaluation.in-sample { border-left-color: #c0392b; background: #fdf2f1; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.stages { display: flex; flex-wrap: wrap; gap: 1.5rem; }
code { background: #f4f4f4; padding: 0 0.2rem; }
svg.plot { background: #fff; border: 1px solid #e2e2e2; border-radius: 4px; max-width: 100%; height: auto; }
`;

export function renderBacktestHtml(report: BacktestReport): string {
  const title = `Backtest of model ${report.modelVersion}`;
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>Target <code>${escapeHtml(report.targetTransform)}(views)</code> at horizon <code>${escapeHtml(report.horizon)}</code>; ` +
      `the last score of each video at each stage against its realized outcome.</p>`,
    evaluationNote(report),
    coverageSection(report),
    stagesSection(report),
    chartsSection(report),
    rankingSection(report),
    alertsSection(report),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Writes backtest.html and backtest.json into `dir` (created if missing), each through a temp file and a rename. */
export async function writeBacktestReport(report: BacktestReport, dir: string): Promise<BacktestReportFiles> {
  await mkdir(dir, { recursive: true });
  const html = path.join(dir, "backtest.html");
  const json = path.join(dir, "backtest.json");
  await writeAtomically(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(html, renderBacktestHtml(report));
  return { html, json };
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, content, "utf8");
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Which videos the figures are about, before any figure: held out, or in-sample and flattering. */
function evaluationNote(report: BacktestReport): string {
  const e = report.evaluation;
  return `<p class="evaluation ${e.basis}"><strong>${escapeHtml(e.note)}.</strong></p>`;
}

function coverageSection(report: BacktestReport): string {
  const c = report.coverage;
  const e = report.evaluation;
  const rows: [string, string][] = [
    ["videos evaluated as", e.basis === "held-out" ? "held out (not seen in training or calibration)" : "in-sample (the bundle does not record its held-out videos)"],
    ...(e.basis === "held-out"
      ? ([
          ["held-out videos", formatCount(e.videosHeldOut)],
          ["in-sample videos skipped", formatCount(e.videosInSampleSkipped)],
          ["videos without an upload time skipped", formatCount(e.videosWithoutUploadTime)],
        ] satisfies [string, string][])
      : []),
    ["videos with an outcome", formatCount(c.videosWithOutcome)],
    ["videos scored", formatCount(c.videosScored)],
    ["videos evaluated (scored, with an outcome)", formatCount(c.videosEvaluated)],
    ["outcomes without a score", withIds(c.outcomesWithoutScore, c.outcomesWithoutScoreIds)],
    ["scored videos without an outcome", withIds(c.scoresWithoutOutcome, c.scoresWithoutOutcomeIds)],
    ["score records", formatCount(c.scoreRecords)],
    ["… superseded by a later score of the same video and stage", formatCount(c.scoreRecordsSuperseded)],
    ["… of other model versions (left out)", formatCount(c.scoreRecordsOtherVersion)],
    ["other model versions seen", c.otherModelVersions.length === 0 ? NONE : c.otherModelVersions.join(", ")],
    ["outcome records", formatCount(c.outcomeRecords)],
    ["… superseded", formatCount(c.outcomeRecordsSuperseded)],
    [`… of another horizon than ${report.horizon}`, formatCount(c.outcomeRecordsOtherHorizon)],
  ];
  return ["<h2>Coverage</h2>", keyValueTable(rows)].join("\n");
}

function withIds(count: number, ids: readonly string[]): string {
  if (count === 0) return "0";
  return `${formatCount(count)} (${ids.join(", ")}${count > ids.length ? ", …" : ""})`;
}

function stagesSection(report: BacktestReport): string {
  const overview = table(
    ["stage", "n", "MAE", "R²", "Spearman ρ", "exp(MAE)", "interval coverage", "vs previous stage", "SH MAE", "model vs SH"],
    report.stages.map((stage) => [
      stage.stage,
      formatCount(stage.n),
      formatFixed(stage.metrics?.mae ?? null),
      formatFixed(stage.metrics?.r2 ?? null),
      formatFixed(stage.metrics?.spearman ?? null),
      stage.metrics === null ? NONE : `×${formatMetric(stage.metrics.maeFactor)}`,
      formatShare(stage.metrics?.intervalCoverage ?? null),
      formatGainPct(stage.improvement?.maeReductionPct ?? null),
      formatFixed(stage.szaboHuberman?.maeSzaboHuberman ?? null),
      formatGainPct(stage.szaboHuberman?.modelGainPct ?? null),
    ]),
  );
  return [
    "<h2>Accuracy per stage</h2>",
    overview,
    '<p class="note">Metrics on log1p(views). "vs previous stage": MAE reduction on the videos scored at both stages. ' +
      '"model vs SH": MAE gain over Szabo–Huberman (log1p(views<sub>t</sub>) + r) on the same videos; positive is better.</p>',
    `<div class="stages">${report.stages.map(stageDetail).join("\n")}</div>`,
  ].join("\n");
}

function stageDetail(stage: StageReport): string {
  const m = stage.metrics;
  const rows: [string, string][] = [
    ["videos", formatCount(stage.n)],
    ["MAE", formatMetric(m?.mae ?? null)],
    ["RMSE", formatMetric(m?.rmse ?? null)],
    ["R²", formatMetric(m?.r2 ?? null)],
    ["Spearman ρ", formatMetric(m?.spearman ?? null)],
    ["exp(MAE)", m === null ? NONE : `×${formatMetric(m.maeFactor)}`],
    ["interval coverage", formatShare(m?.intervalCoverage ?? null)],
    ["nominal level", formatShare(m?.nominalLevel ?? null)],
    ["mean interval width (log)", formatMetric(m?.meanIntervalWidthLog ?? null)],
  ];
  const improvement = stage.improvement;
  if (improvement !== null) {
    rows.push(
      [`videos also scored at ${improvement.previous}`, formatCount(improvement.n)],
      [`MAE at ${improvement.previous} → ${stage.stage}`, `${formatMetric(improvement.maePrevious)} → ${formatMetric(improvement.mae)}`],
      ["MAE reduction", `${formatMetric(improvement.maeReduction)} (${formatGainPct(improvement.maeReductionPct)})`],
    );
  }
  const sh = stage.szaboHuberman;
  if (sh !== null) {
    rows.push(
      [`Szabo–Huberman (${sh.window}, r = ${formatMetric(sh.r)}) videos`, `${formatCount(sh.n)} (${formatCount(sh.nWithoutViews)} without views)`],
      ["MAE model / SH", `${formatMetric(sh.maeModel)} / ${formatMetric(sh.maeSzaboHuberman)}`],
      ["model gain over SH", formatGainPct(sh.modelGainPct)],
    );
  }
  return `<section><h3>${escapeHtml(stage.stage)}</h3>\n${keyValueTable(rows)}</section>`;
}

function chartsSection(report: BacktestReport): string {
  const bars = barChart({
    title: "MAE per stage (log1p views)",
    valueLabel: "MAE (lower is better)",
    categories: report.stages.map((stage) => stage.stage),
    series: [
      // Against SH, the model's bar is its MAE on the same videos.
      { name: "model", values: report.stages.map((stage) => stage.szaboHuberman?.maeModel ?? stage.metrics?.mae ?? null) },
      { name: "Szabo–Huberman", values: report.stages.map((stage) => stage.szaboHuberman?.maeSzaboHuberman ?? null) },
    ],
  });
  const scatter = report.scatter;
  const points = scatterPlot({
    title: scatter.stage === null ? "Predicted vs actual" : `Predicted vs actual at ${scatter.stage}`,
    xLabel: "actual log1p(views)",
    yLabel: "predicted log1p(views)",
    x: scatter.points.map((point) => point.actual),
    y: scatter.points.map((point) => point.predicted),
    diagonal: true,
  });
  const sampleNote =
    scatter.points.length < scatter.total
      ? `${formatCount(scatter.points.length)} of ${formatCount(scatter.total)} videos, a fixed sample by id hash.`
      : `${formatCount(scatter.total)} videos.`;
  return [
    "<h2>Charts</h2>",
    `<div class="charts"><figure>${bars}<figcaption class="note">Where Szabo–Huberman is compared, the model bar is the model's MAE on the same videos.</figcaption></figure>`,
    `<figure>${points}<figcaption class="note">${escapeHtml(sampleNote)} Dashed: y = x.</figcaption></figure></div>`,
  ].join("\n");
}

function rankingSection(report: BacktestReport): string {
  const ranking = report.ranking;
  if (ranking.top1 === null || ranking.top10 === null) return "<h2>Ranking</h2>\n<p>No outcomes.</p>";
  const rows = ranking.precisionAtK.map((row) => [row.label, formatCount(row.k), formatShare(row.precisionTop1), formatShare(row.precisionTop10)]);
  return [
    "<h2>Ranking: precision@k</h2>",
    `<p>Top k of ${formatCount(ranking.ranked)} scored videos by the predicted views of their final score. ` +
      `True top 1%: ≥ ${escapeHtml(formatViews(ranking.top1.threshold))} views (${formatCount(ranking.top1.size)} videos); ` +
      `true top 10%: ≥ ${escapeHtml(formatViews(ranking.top10.threshold))} views (${formatCount(ranking.top10.size)} videos), ` +
      `of ${formatCount(ranking.videosWithOutcome)} videos with an outcome.</p>`,
    rows.length === 0 ? "<p>Too few scored videos for any k.</p>" : table(["top", "k", "precision (true top 1%)", "precision (true top 10%)"], rows),
  ].join("\n");
}

function alertsSection(report: BacktestReport): string {
  const a = report.alerts;
  const summary: [string, string][] = [
    ["alert records", formatCount(a.records)],
    ["… of other model versions (left out)", formatCount(a.recordsOtherVersion)],
    ["videos alerted", formatCount(a.videosAlerted)],
    ["… without an outcome", formatCount(a.videosAlertedWithoutOutcome)],
    ["precision: alerted videos in the true top 10%", formatShare(a.precisionTop10)],
    ["precision: alerted videos in the true top 1%", formatShare(a.precisionTop1)],
    ["recall: true top 1% alerted", formatShare(a.recallTop1)],
    ["recall: true top 10% alerted", formatShare(a.recallTop10)],
  ];
  const groupRows = (groups: readonly AlertGroup[]): string[][] =>
    groups.map((g) => [g.key, formatCount(g.videos), formatCount(g.withOutcome), formatCount(g.inTop1), formatCount(g.inTop10), formatShare(g.precisionTop10)]);
  const headers = ["", "videos", "with outcome", "in top 1%", "in top 10%", "precision (top 10%)"];
  return [
    "<h2>Alerts</h2>",
    keyValueTable(summary),
    "<h3>By stage of the first alert</h3>",
    table(["stage", ...headers.slice(1)], groupRows(a.byFirstStage)),
    "<h3>By rule</h3>",
    a.byRule.length === 0 ? "<p>No alerts.</p>" : table(["rule", ...headers.slice(1)], groupRows(a.byRule)),
  ].join("\n");
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`).join("\n");
  return `<table>${head}<tbody>\n${body}\n</tbody></table>`;
}

function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  const body = rows.map(([key, value]) => `<tr><th scope="row">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`).join("\n");
  return `<table><tbody>\n${body}\n</tbody></table>`;
}
