/**
 * The backtest as a compact fixed-width text for the terminal: which videos are evaluated (held out,
 * or in-sample for a bundle that does not say), one row per stage, then precision@k and the alerts. Built from the report alone, so it reads the same from backtest.json.
 */
import { formatCount, formatFixed, formatGainPct, formatShare, formatViews, NONE } from "../report/format.js";
import type { BacktestReport } from "./types.js";

type Align = "left" | "right";

export function backtestSummaryText(report: BacktestReport): string {
  const { coverage, ranking, alerts } = report;
  const lines: string[] = [];
  lines.push(`Backtest of model ${report.modelVersion}: ${report.targetTransform}(views) at ${report.horizon}`);
  lines.push(report.evaluation.note);
  lines.push(
    `videos: ${formatCount(coverage.videosWithOutcome)} with an outcome, ${formatCount(coverage.videosScored)} scored, ` +
      `${formatCount(coverage.videosEvaluated)} evaluated`,
  );
  if (coverage.outcomesWithoutScore > 0) {
    lines.push(`  ${formatCount(coverage.outcomesWithoutScore)} outcomes without a score (e.g. ${coverage.outcomesWithoutScoreIds.join(", ")})`);
  }
  if (coverage.scoresWithoutOutcome > 0) {
    lines.push(`  ${formatCount(coverage.scoresWithoutOutcome)} scored videos without an outcome`);
  }
  if (coverage.scoreRecordsOtherVersion > 0) {
    lines.push(`  ${formatCount(coverage.scoreRecordsOtherVersion)} score records of other versions left out (${coverage.otherModelVersions.join(", ")})`);
  }
  lines.push("");
  lines.push(
    fixedTable(
      ["stage", "n", "MAE", "R²", "Spearman", "coverage", "vs prev", "SH MAE", "vs SH"],
      report.stages.map((stage) => [
        stage.stage,
        formatCount(stage.n),
        formatFixed(stage.metrics?.mae ?? null),
        formatFixed(stage.metrics?.r2 ?? null),
        formatFixed(stage.metrics?.spearman ?? null),
        formatShare(stage.metrics?.intervalCoverage ?? null),
        formatGainPct(stage.improvement?.maeReductionPct ?? null),
        formatFixed(stage.szaboHuberman?.maeSzaboHuberman ?? null),
        formatGainPct(stage.szaboHuberman?.modelGainPct ?? null),
      ]),
      ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
    ),
  );
  lines.push("  MAE and R² on log1p(views); vs prev: MAE reduction on videos scored at both stages;");
  lines.push("  vs SH: MAE gain over Szabo–Huberman on the same videos.");
  lines.push("");
  if (ranking.top1 === null || ranking.top10 === null) {
    lines.push("precision@k: no outcomes");
  } else {
    lines.push(
      `precision@k by final predicted views; true top 1%: ≥ ${formatViews(ranking.top1.threshold)} views ` +
        `(${formatCount(ranking.top1.size)} videos), top 10%: ≥ ${formatViews(ranking.top10.threshold)} (${formatCount(ranking.top10.size)})`,
    );
    lines.push(
      ranking.precisionAtK.length === 0
        ? `  ${NONE}`
        : fixedTable(
            ["top", "k", "in top 1%", "in top 10%"],
            ranking.precisionAtK.map((row) => [row.label, formatCount(row.k), formatShare(row.precisionTop1), formatShare(row.precisionTop10)]),
            ["left", "right", "right", "right"],
          ),
    );
  }
  lines.push("");
  lines.push(
    `alerts: ${formatCount(alerts.records)} records, ${formatCount(alerts.videosAlerted)} videos; ` +
      `recall of true top 1% ${formatShare(alerts.recallTop1)}, precision (in top 10%) ${formatShare(alerts.precisionTop10)}, ` +
      `(in top 1%) ${formatShare(alerts.precisionTop1)}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Columns padded to their widest cell, two spaces apart. */
export function fixedTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = headers.map((header, c) => Math.max(header.length, ...rows.map((row) => (row[c] ?? "").length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (align[c] === "left" ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join("  ")
      .trimEnd();
  return [render(headers), ...rows.map(render)].join("\n");
}
