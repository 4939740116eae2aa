/**
 * Small inline-SVG plots for the training report (trainer/report/html.ts) and the backtest report
 * (src/backtest/report.ts): one scatter (optionally with the y = x line), one (horizontal, grouped)
 * bar chart, one histogram, one line chart. Each returns a self-contained <svg> string (no xmlns
 * needed inline in HTML, no external references); every text is escaped. Styling comes from the
 * page's CSS classes (plot, axis, grid, series-0 …) with plain fallbacks inline. A scatter without
 * points or a bar chart without values says "no data".
 */
import { escapeHtml } from "./escape.js";
import { formatNumber } from "./format.js";

export const PALETTE = ["#2f6db5", "#d1603d", "#4c9a5b", "#8e6bb8", "#c29a2e", "#5a6b7b"] as const;

const FONT = 'font-family="system-ui, sans-serif"';

interface Box {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

type Scale = (v: number) => number;

function linear(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** [min, max] of the finite values, widened when empty or flat. */
function extent(values: readonly number[], pad = 0): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return [0, 1];
  if (min === max) return [min - (Math.abs(min) || 1) * 0.5, max + (Math.abs(max) || 1) * 0.5];
  const margin = (max - min) * pad;
  return [min - margin, max + margin];
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

function open(box: Box, title: string): string {
  const label = escapeHtml(title);
  return (
    `<svg class="plot" viewBox="0 0 ${box.width} ${box.height}" width="${box.width}" height="${box.height}" role="img" aria-label="${label}" ${FONT} font-size="11">` +
    `<title>${label}</title>` +
    `<text x="${box.width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${label}</text>`
  );
}

/** The frame and title of a chart with nothing to draw, saying so. */
function noData(box: Box, title: string): string {
  const middle = (box.top + box.height - box.bottom) / 2;
  return `${open(box, title)}<text x="${box.width / 2}" y="${r1(middle)}" text-anchor="middle" fill="#666">no data</text></svg>`;
}

function xAxis(box: Box, x: Scale, ticks: readonly number[], label: string): string {
  const y = box.height - box.bottom;
  const marks = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${box.top}" y2="${y}" stroke="#e4e4e4"/>` +
        `<text x="${r1(x(t))}" y="${y + 14}" text-anchor="middle">${escapeHtml(formatNumber(t))}</text>`,
    )
    .join("");
  return (
    marks +
    `<line class="axis" x1="${box.left}" x2="${box.width - box.right}" y1="${y}" y2="${y}" stroke="#555"/>` +
    `<text x="${(box.left + box.width - box.right) / 2}" y="${box.height - 6}" text-anchor="middle">${escapeHtml(label)}</text>`
  );
}

function yAxis(box: Box, y: Scale, ticks: readonly number[], label: string): string {
  const marks = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${box.left}" x2="${box.width - box.right}" y1="${r1(y(t))}" y2="${r1(y(t))}" stroke="#e4e4e4"/>` +
        `<text x="${box.left - 5}" y="${r1(y(t) + 4)}" text-anchor="end">${escapeHtml(formatNumber(t))}</text>`,
    )
    .join("");
  const mid = (box.top + box.height - box.bottom) / 2;
  return (
    marks +
    `<line class="axis" x1="${box.left}" x2="${box.left}" y1="${box.top}" y2="${box.height - box.bottom}" stroke="#555"/>` +
    `<text x="12" y="${mid}" text-anchor="middle" transform="rotate(-90 12 ${mid})">${escapeHtml(label)}</text>`
  );
}

function legend(box: Box, names: readonly string[]): string {
  return names
    .map((name, i) => {
      const y = box.top + 4 + i * 15;
      const x = box.width - box.right - 150;
      return (
        `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>` +
        `<text x="${x + 14}" y="${y + 1}">${escapeHtml(name)}</text>`
      );
    })
    .join("");
}

export interface ScatterSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Draw y = x and use one domain for both axes. */
  readonly diagonal?: boolean;
}

export function scatterPlot(spec: ScatterSpec): string {
  const box: Box = { width: 420, height: 380, left: 56, right: 16, top: 28, bottom: 40 };
  if (spec.x.length === 0) return noData(box, spec.title);
  const xd = extent(spec.diagonal === true ? [...spec.x, ...spec.y] : spec.x, 0.03);
  const yd = spec.diagonal === true ? xd : extent(spec.y, 0.03);
  const x = linear(xd, [box.left, box.width - box.right]);
  const y = linear(yd, [box.height - box.bottom, box.top]);
  const diagonal =
    spec.diagonal === true
      ? `<line class="diagonal" x1="${r1(x(xd[0]))}" y1="${r1(y(xd[0]))}" x2="${r1(x(xd[1]))}" y2="${r1(y(xd[1]))}" stroke="#999" stroke-dasharray="4 3"/>`
      : "";
  const dots = spec.x
    .map((v, i) => `<circle cx="${r1(x(v))}" cy="${r1(y(spec.y[i]))}" r="2"/>`)
    .join("");
  return (
    open(box, spec.title) +
    xAxis(box, x, niceTicks(xd[0], xd[1]), spec.xLabel) +
    yAxis(box, y, niceTicks(yd[0], yd[1]), spec.yLabel) +
    diagonal +
    `<g fill="${PALETTE[0]}" fill-opacity="0.35">${dots}</g></svg>`
  );
}

export interface BarSeries {
  readonly name: string;
  /** One value per category; null leaves the bar out. */
  readonly values: readonly (number | null)[];
  /** Optional ± error per value (drawn as a whisker). */
  readonly errors?: readonly (number | null)[];
}

export interface BarSpec {
  readonly title: string;
  readonly valueLabel: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
}

/** Horizontal bars: one band per category, one bar per series inside it, a legend when several. */
export function barChart(spec: BarSpec): string {
  const longest = Math.max(4, ...spec.categories.map((c) => c.length));
  const band = Math.max(18, 8 + 12 * spec.series.length);
  const legendHeight = spec.series.length > 1 ? 15 * spec.series.length + 4 : 0;
  const top = 28 + legendHeight;
  const box: Box = {
    width: 560,
    height: top + band * spec.categories.length + 40,
    left: Math.min(260, 16 + 7 * longest),
    right: 56,
    top,
    bottom: 40,
  };
  const ends: number[] = [0];
  for (const s of spec.series) {
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const e = s.errors?.[i] ?? 0;
      ends.push(v - e, v + e);
    });
  }
  if (ends.length === 1) return noData({ ...box, height: Math.max(box.height, 120) }, spec.title);
  const xd = extent(ends, 0.02);
  const x = linear(xd, [box.left, box.width - box.right]);
  const barHeight = (band - 8) / spec.series.length;
  const bars = spec.categories
    .map((category, ci) => {
      const bandTop = box.top + ci * band + 4;
      const label = `<text x="${box.left - 6}" y="${r1(bandTop + (band - 8) / 2 + 4)}" text-anchor="end">${escapeHtml(category)}</text>`;
      const rects = spec.series
        .map((s, si) => {
          const v = s.values[ci];
          if (v === null || v === undefined || !Number.isFinite(v)) return "";
          const y0 = bandTop + si * barHeight;
          const from = x(Math.min(0, v));
          const to = x(Math.max(0, v));
          const e = s.errors?.[ci] ?? null;
          const whisker =
            e === null || !(e > 0)
              ? ""
              : `<line x1="${r1(x(v - e))}" x2="${r1(x(v + e))}" y1="${r1(y0 + barHeight / 2)}" y2="${r1(y0 + barHeight / 2)}" stroke="#222"/>` +
                `<line x1="${r1(x(v - e))}" x2="${r1(x(v - e))}" y1="${r1(y0 + 2)}" y2="${r1(y0 + barHeight - 2)}" stroke="#222"/>` +
                `<line x1="${r1(x(v + e))}" x2="${r1(x(v + e))}" y1="${r1(y0 + 2)}" y2="${r1(y0 + barHeight - 2)}" stroke="#222"/>`;
          const end = x(v + (v >= 0 ? 1 : -1) * (e ?? 0));
          const text = `<text x="${r1(v >= 0 ? end + 4 : end - 4)}" y="${r1(y0 + barHeight / 2 + 4)}" text-anchor="${v >= 0 ? "start" : "end"}" font-size="10">${escapeHtml(formatNumber(v))}</text>`;
          return (
            `<rect class="series-${si}" x="${r1(from)}" y="${r1(y0)}" width="${r1(Math.max(0.5, to - from))}" height="${r1(barHeight - 1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeHtml(`${category} · ${s.name}: ${formatNumber(v)}${e !== null && e > 0 ? ` ± ${formatNumber(e)}` : ""}`)}</title></rect>` +
            whisker +
            text
          );
        })
        .join("");
      return label + rects;
    })
    .join("");
  const zero = `<line x1="${r1(x(0))}" x2="${r1(x(0))}" y1="${box.top}" y2="${box.height - box.bottom}" stroke="#555"/>`;
  const ticks = niceTicks(xd[0], xd[1]);
  return (
    open(box, spec.title) +
    xAxis(box, x, ticks, spec.valueLabel) +
    bars +
    zero +
    (spec.series.length > 1 ? legend({ ...box, top: 28 }, spec.series.map((s) => s.name)) : "") +
    "</svg>"
  );
}

export interface HistogramSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export function histogramPlot(spec: HistogramSpec): string {
  const box: Box = { width: 420, height: 300, left: 50, right: 16, top: 28, bottom: 40 };
  const xd: [number, number] = [spec.edges[0] ?? 0, spec.edges[spec.edges.length - 1] ?? 1];
  const yd: [number, number] = [0, Math.max(1, ...spec.counts)];
  const x = linear(xd, [box.left, box.width - box.right]);
  const y = linear(yd, [box.height - box.bottom, box.top]);
  const bars = spec.counts
    .map((count, i) => {
      const x0 = x(spec.edges[i]);
      const x1 = x(spec.edges[i + 1]);
      return `<rect x="${r1(x0)}" y="${r1(y(count))}" width="${r1(Math.max(0.5, x1 - x0 - 1))}" height="${r1(y(0) - y(count))}"><title>${escapeHtml(`${formatNumber(spec.edges[i])} to ${formatNumber(spec.edges[i + 1])}: ${count}`)}</title></rect>`;
    })
    .join("");
  return (
    open(box, spec.title) +
    xAxis(box, x, niceTicks(xd[0], xd[1]), spec.xLabel) +
    yAxis(box, y, niceTicks(yd[0], yd[1]).filter((t) => Number.isInteger(t)), "rows") +
    `<g fill="${PALETTE[0]}">${bars}</g></svg>`
  );
}

export interface LineSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface LineSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Draw y = x (e.g. perfect calibration). */
  readonly diagonal?: boolean;
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
}

export function lineChart(spec: LineSpec): string {
  const box: Box = { width: 420, height: 320, left: 50, right: 16, top: 28, bottom: 40 };
  const xd = spec.xDomain ?? extent(spec.series.flatMap((s) => s.x), 0.03);
  const yd = spec.yDomain ?? extent(spec.series.flatMap((s) => s.y), 0.03);
  const x = linear(xd, [box.left, box.width - box.right]);
  const y = linear(yd, [box.height - box.bottom, box.top]);
  const lo = Math.max(xd[0], yd[0]);
  const hi = Math.min(xd[1], yd[1]);
  const diagonal =
    spec.diagonal === true && hi > lo
      ? `<line class="diagonal" x1="${r1(x(lo))}" y1="${r1(y(lo))}" x2="${r1(x(hi))}" y2="${r1(y(hi))}" stroke="#999" stroke-dasharray="4 3"/>`
      : "";
  const lines = spec.series
    .map((s, si) => {
      const color = PALETTE[si % PALETTE.length];
      const points = s.x.map((v, i) => `${r1(x(v))},${r1(y(s.y[i]))}`).join(" ");
      const dots = s.x
        .map(
          (v, i) =>
            `<circle cx="${r1(x(v))}" cy="${r1(y(s.y[i]))}" r="3" fill="${color}"><title>${escapeHtml(`${s.name}: ${formatNumber(v)} → ${formatNumber(s.y[i])}`)}</title></circle>`,
        )
        .join("");
      return `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="1.5"/>${dots}`;
    })
    .join("");
  return (
    open(box, spec.title) +
    xAxis(box, x, niceTicks(xd[0], xd[1]), spec.xLabel) +
    yAxis(box, y, niceTicks(yd[0], yd[1]), spec.yLabel) +
    diagonal +
    lines +
    (spec.series.length > 1 ? legend(box, spec.series.map((s) => s.name)) : "") +
    "</svg>"
  );
}
