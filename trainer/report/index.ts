/** The training report: data (types.ts), its building (build.ts), report.html and report.json. */
export {
  buildStageReport,
  buildTrainingReport,
  histogramOf,
  metricSet,
  pointSample,
  residualSummary,
  summarizeConformal,
  verdictOf,
  MAX_POINTS,
  type BaselineScore,
  type StageReportInput,
  type TrainingReportInput,
} from "./build.js";
export { escapeHtml } from "../../src/report/escape.js";
export { renderReportHtml, TOP_COLUMNS } from "./html.js";
export { reportToJson } from "./json.js";
export { barChart, histogramPlot, lineChart, niceTicks, scatterPlot } from "../../src/report/svg.js";
export type { BarSeries, BarSpec, HistogramSpec, LineSeries, LineSpec, ScatterSpec } from "../../src/report/svg.js";
export * from "./types.js";
export { writeReport, type ReportFiles } from "./write.js";
