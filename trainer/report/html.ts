/**
 * report.html: one self-contained page (inline CSS, inline SVG, no script, no external reference)
 * that opens offline. Every text is escaped. The numbers shown are those of report.json, formatted.
 */
import { formatMetric, formatNumber, formatShare } from "../../src/report/format.js";
import { escapeHtml as esc } from "../../src/report/escape.js";
import { barChart, histogramPlot, lineChart, scatterPlot } from "../../src/report/svg.js";
import type { GbdtSettings, ImportanceSummary, MetricSet, ScoredPredictor, StageReport, TrainingReport } from "./types.js";

export const TOP_COLUMNS = 20;

const KIND_LABELS: Readonly<Record<string, string>> = {
  model: "model",
  mean: "mean",
  ridge: "ridge",
  cart: "CART",
  "szabo-huberman": "Szabo–Huberman",
};

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.facts dt{color:#666}dl.facts dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
table{border-collapse:collapse;margin:6px 0;background:#fff}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f0f0f0}
td:first-child,th:first-child{text-align:left}
tr.model td{font-weight:600}tr.best td{background:#f3f7ff}
.verdict{padding:8px 12px;border-radius:4px;font-weight:600}
.verdict.good{background:#e7f5ea;border:1px solid #9cd3a8}
.verdict.bad{background:#fdecea;border:1px solid #f1a39a}
.verdict.none{background:#fff6db;border:1px solid #e8cf7a}
.plots{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
svg.plot{background:#fff;border:1px solid #e2e2e2;border-radius:4px;max-width:100%;height:auto}
ol.rules{font-family:ui-monospace,monospace;font-size:13px}
.muted{color:#666}
`;

export function renderReportHtml(report: TrainingReport): string {
  const title = `virality training report — ${report.modelVersion}`;
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>`,
    `<h1>${esc(title)}</h1>`,
    header(report),
    overview(report),
    ...report.stages.map((stage) => stageSection(stage, report)),
    `<p class="muted">Every number of this page, and more, is in report.json next to it.</p>`,
    "</main></body></html>",
  ].join("\n");
}

function header(report: TrainingReport): string {
  const split =
    report.split.kind === "time"
      ? `time (oldest rows train, newest test)`
      : `random (seed ${report.split.seed ?? "—"})`;
  const facts: [string, string][] = [
    ["model version", report.modelVersion],
    ["created", report.createdAt],
    ["target", `${report.target.column} (transform: ${report.target.transform})`],
    [
      "split",
      `${split}; test ${formatShare(report.split.testFraction)} of rows, calibration ${formatShare(report.split.calibrationFraction)} of the rest`,
    ],
    ["data", `${formatNumber(report.dataFingerprint.rows)} rows, sha256 ${report.dataFingerprint.sha256}`],
  ];
  const notes = report.notes.length === 0 ? "" : `<ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`;
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>${notes}`;
}

function overview(report: TrainingReport): string {
  const rows = report.stages.map((s) => {
    const beats = s.verdict.beatsBestBaseline === null ? "—" : s.verdict.beatsBestBaseline ? "yes" : "NO";
    const cells = [
      s.stage,
      `${formatNumber(s.counts.train)} / ${formatNumber(s.counts.calibration)} / ${formatNumber(s.counts.test)}`,
      formatMetric(s.model.metrics.mae),
      formatMetric(s.model.metrics.maeFactor),
      formatMetric(s.model.metrics.r2),
      formatMetric(s.model.metrics.spearman),
      s.verdict.bestBaseline ?? "—",
      formatMetric(s.verdict.bestBaselineMae),
      beats,
      s.conformal === null ? "—" : `${formatShare(s.conformal.coverage)} of ${formatShare(s.conformal.level)}`,
      s.conformal === null ? "—" : formatMetric(s.conformal.meanWidth),
    ];
    return `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`;
  });
  const head = [
    "stage",
    "rows train / cal. / test",
    "MAE",
    "exp(MAE)",
    "R²",
    "Spearman ρ",
    "best baseline",
    "its MAE",
    "beats it?",
    "interval coverage",
    "mean width",
  ];
  return [
    "<h2>Stages at a glance</h2>",
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`,
    `<div class="plots">${stageComparisonChart(report.stages)}</div>`,
  ].join("\n");
}

function stageComparisonChart(stages: readonly StageReport[]): string {
  const kinds: string[] = ["model"];
  for (const stage of stages) for (const b of stage.baselines) if (!kinds.includes(b.kind)) kinds.push(b.kind);
  const maeOf = (stage: StageReport, kind: string): number | null =>
    kind === "model" ? stage.model.metrics.mae : (stage.baselines.find((b) => b.kind === kind)?.metrics.mae ?? null);
  return barChart({
    title: "Test MAE per stage: model vs baselines",
    valueLabel: "MAE (lower is better)",
    categories: stages.map((s) => s.stage),
    series: kinds.map((kind) => ({ name: KIND_LABELS[kind] ?? kind, values: stages.map((s) => maeOf(s, kind)) })),
  });
}

function stageSection(stage: StageReport, report: TrainingReport): string {
  const verdictClass = stage.verdict.beatsBestBaseline === null ? "none" : stage.verdict.beatsBestBaseline ? "good" : "bad";
  const parts = [
    `<section id="stage-${esc(stage.stage)}">`,
    `<h2>Stage ${esc(stage.stage)}</h2>`,
    `<p>${esc(`${formatNumber(stage.counts.train)} train, ${formatNumber(stage.counts.calibration)} calibration and ${formatNumber(stage.counts.test)} test rows.`)}</p>`,
    `<p class="verdict ${verdictClass}">${esc(stage.verdict.text)}</p>`,
    metricsTable(stage),
    settingsPart(stage.hyperparameters),
    `<div class="plots">${predictionPlots(stage, report)}</div>`,
    conformalPart(stage),
    importancePart(stage.importance),
    surrogatePart(stage),
  ];
  if (stage.notes.length > 0) parts.push(`<ul>${stage.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
  parts.push("</section>");
  return parts.join("\n");
}

function metricsTable(stage: StageReport): string {
  const row = (p: ScoredPredictor, cls: string): string => {
    const m: MetricSet = p.metrics;
    const cells = [p.name, formatMetric(m.mae), formatMetric(m.rmse), formatMetric(m.r2), formatMetric(m.spearman), formatMetric(m.maeFactor)];
    return `<tr${cls === "" ? "" : ` class="${cls}"`}>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`;
  };
  const head = ["predictor", "MAE", "RMSE", "R²", "Spearman ρ", "exp(MAE)"];
  const rows = [
    row(stage.model, "model"),
    ...stage.baselines.map((b) => row(b, b.name === stage.verdict.bestBaseline ? "best" : "")),
  ];
  return `<h3>Test metrics (${esc(formatNumber(stage.model.metrics.n))} rows)</h3><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function predictionPlots(stage: StageReport, report: TrainingReport): string {
  const target = `${report.target.transform === "log1p" ? "log1p " : ""}${report.target.column}`;
  const sampled = stage.points.actual.length < stage.points.total ? ` (sample of ${formatNumber(stage.points.actual.length)})` : "";
  return [
    scatterPlot({
      title: `Predicted vs actual, stage ${stage.stage}${sampled}`,
      xLabel: `actual ${target}`,
      yLabel: `predicted ${target}`,
      x: stage.points.actual,
      y: stage.points.predicted,
      diagonal: true,
    }),
    histogramPlot({
      title: `Residuals (actual − predicted), stage ${stage.stage}`,
      xLabel: `residual (mean ${formatMetric(stage.residuals.mean)}, std ${formatMetric(stage.residuals.std)})`,
      edges: stage.residuals.histogram.edges,
      counts: stage.residuals.histogram.counts,
    }),
  ].join("");
}

function conformalPart(stage: StageReport): string {
  const c = stage.conformal;
  if (c === null) return `<h3>Intervals</h3><p class="muted">No conformal intervals for this stage.</p>`;
  const facts: [string, string][] = [
    ["nominal coverage", formatShare(c.level)],
    ["quantile q (interval ŷ ± q)", formatMetric(c.quantile)],
    ["test coverage", formatShare(c.coverage)],
    ["mean width", formatMetric(c.meanWidth)],
    ["calibration rows", formatNumber(c.calibrationRows)],
  ];
  const curveRows = c.curve
    .map((p) => `<tr><td>${esc(formatShare(p.nominal))}</td><td>${esc(formatShare(p.empirical))}</td><td>${esc(formatMetric(p.quantile))}</td></tr>`)
    .join("");
  const plot =
    c.curve.length === 0
      ? ""
      : lineChart({
          title: `Interval calibration, stage ${stage.stage}`,
          xLabel: "nominal coverage",
          yLabel: "test coverage",
          series: [{ name: "split conformal", x: c.curve.map((p) => p.nominal), y: c.curve.map((p) => p.empirical) }],
          diagonal: true,
          xDomain: [0.4, 1],
          yDomain: [Math.min(0.4, ...c.curve.map((p) => p.empirical)), 1],
        });
  return [
    "<h3>Intervals (split conformal)</h3>",
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`,
    `<div class="plots">${plot}<table><thead><tr><th>nominal</th><th>test coverage</th><th>q</th></tr></thead><tbody>${curveRows}</tbody></table></div>`,
  ].join("\n");
}

function importancePart(importance: ImportanceSummary | null): string {
  if (importance === null) return `<h3>Permutation importance</h3><p class="muted">Not computed for this stage.</p>`;
  const unit = importance.scoring === "r2" ? "drop in R²" : "rise in MAE";
  const top = importance.columns.slice(0, TOP_COLUMNS);
  const plots = [
    importance.groups.length === 0
      ? ""
      : barChart({
          title: "Importance of column groups",
          valueLabel: `${unit} when permuted (mean ± std)`,
          categories: importance.groups.map((g) => g.name),
          series: [{ name: unit, values: importance.groups.map((g) => g.mean), errors: importance.groups.map((g) => g.std) }],
        }),
    top.length === 0
      ? ""
      : barChart({
          title: `Top ${top.length} columns`,
          valueLabel: `${unit} when permuted (mean ± std)`,
          categories: top.map((c) => c.name),
          series: [{ name: unit, values: top.map((c) => c.mean), errors: top.map((c) => c.std) }],
        }),
  ];
  const baseline = importance.scoring === "r2" ? `R² ${formatMetric(importance.baselineScore)}` : `MAE ${formatMetric(-importance.baselineScore)}`;
  return [
    "<h3>Permutation importance</h3>",
    `<p class="muted">${esc(
      `Each column (or group, permuted together) shuffled ${importance.nRepeats} times on ${formatNumber(importance.rows)} test rows (seed ${importance.seed}); unpermuted ${baseline}. A bar is the ${unit}; near zero means the model does not rely on it.`,
    )}</p>`,
    `<div class="plots">${plots.join("")}</div>`,
  ].join("\n");
}

function settingsPart(settings: GbdtSettings | null): string {
  if (settings === null) return "";
  const s = settings;
  const text =
    `GBDT hyperparameters: learning rate ${s.learningRate}, at most ${s.maxIter} iterations, ` +
    `${s.maxLeafNodes === null ? "no leaf limit" : `${s.maxLeafNodes} leaves`} and ${s.maxDepth === null ? "no depth limit" : `depth ≤ ${s.maxDepth}`} per tree, ` +
    `≥ ${s.minSamplesLeaf} rows per leaf, L2 ${s.l2Regularization}, ${s.maxBins} bins (${s.binQuantile}), ` +
    `early stopping ${s.earlyStopping === true ? "on" : s.earlyStopping === false ? "off" : "auto"} (validation ${s.validationFraction}, ${s.nIterNoChange} iterations, tol ${s.tol}), seed ${s.randomState}; ` +
    (s.categoricalColumns.length === 0 ? "categorical columns as codes." : `category-set splits on ${s.categoricalColumns.join(", ")}.`);
  return `<p class="settings">${esc(text)}</p>`;
}

function surrogatePart(stage: StageReport): string {
  const s = stage.surrogate;
  if (s === null) return "";
  return [
    "<h3>What the model does, in rules (surrogate tree)</h3>",
    `<p class="muted">${esc(
      `A depth-${s.maxDepth} regression tree fitted to the model's predictions on ${formatNumber(s.rows)} rows; it explains R² ${formatMetric(s.fidelityR2)} of them. Missing values count as the column mean.`,
    )}</p>`,
    `<ol class="rules">${s.rules.map((r) => `<li>${esc(r)}</li>`).join("")}</ol>`,
  ].join("\n");
}
