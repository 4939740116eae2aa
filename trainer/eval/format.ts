/** Numbers for people, shared by the surrogate rules and the report: the one set lives in src/report/format.ts. */
export { formatMetric, formatNumber, formatShare as formatPercent } from "../../src/report/format.js";
