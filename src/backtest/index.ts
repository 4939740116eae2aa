/** The backtest's evaluation and report: pure functions of the records a replay published. */
export { evaluateBacktest, DEFAULT_HORIZON, SAMPLE_IDS } from "./evaluate.js";
export { backtestSummaryText, renderBacktestHtml, writeBacktestReport, type BacktestReportFiles } from "./report.js";
export * from "./types.js";
