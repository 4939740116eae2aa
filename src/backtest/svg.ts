/**
 * Two small inline-SVG charts for the backtest report: grouped bars and a scatter with the y = x
 * line. Every text is escaped; coordinates are rounded to 0.1 px so the markup is stable and short.
 */

export interface BarSeries {
  readonly name: string;
  readonly color: string;
}

export interface BarGroup {
  readonly label: string;
  /** One value per series; null draws no bar. */
  readonly values: readonly (number | null)[];
}

export interface BarChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly BarSeries[];
  readonly groups: readonly BarGroup[];
  readonly width?: number;
  readonly height?: number;
}

export interface ScatterChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Draw the y = x line (x and y then share one scale). */
  readonly diagonal: boolean;
  readonly size?: number;
}

const MARGIN = { top: 34, right: 16, bottom: 48, left: 58 } as const;
const AXIS_COLOR = "#555";
const GRID_COLOR = "#e3e3e3";

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char] ?? char);
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function barChartSvg(options: BarChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 300;
  const values = options.groups.flatMap((group) => group.values.filter((value): value is number => value !== null));
  if (values.length === 0) return emptyChart(options.title, width, height);
  const ticks = niceTicks(0, Math.max(...values, 0));
  const top = ticks[ticks.length - 1];
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const yOf = (value: number): number => MARGIN.top + plotHeight * (1 - (top === 0 ? 0 : value / top));
  const groupWidth = plotWidth / Math.max(1, options.groups.length);
  const barWidth = (groupWidth * 0.7) / Math.max(1, options.series.length);
  const parts: string[] = [openSvg(width, height, options.title), title(options.title, width)];
  for (const tick of ticks) {
    const y = yOf(tick);
    parts.push(line(MARGIN.left, y, width - MARGIN.right, y, GRID_COLOR));
    parts.push(text(MARGIN.left - 6, y + 4, formatTick(tick), "end"));
  }
  options.groups.forEach((group, g) => {
    const start = MARGIN.left + g * groupWidth + groupWidth * 0.15;
    group.values.forEach((value, s) => {
      const series = options.series[s];
      if (value === null || series === undefined) return;
      const x = start + s * barWidth;
      const y = yOf(value);
      parts.push(
        `<rect x="${px(x)}" y="${px(y)}" width="${px(barWidth * 0.92)}" height="${px(MARGIN.top + plotHeight - y)}" fill="${escapeXml(series.color)}"><title>${escapeXml(`${group.label} · ${series.name}: ${formatTick(value)}`)}</title></rect>`,
      );
      parts.push(text(x + barWidth * 0.46, y - 3, formatTick(value), "middle", 10));
    });
    parts.push(text(MARGIN.left + (g + 0.5) * groupWidth, height - MARGIN.bottom + 16, group.label, "middle"));
  });
  parts.push(line(MARGIN.left, MARGIN.top + plotHeight, width - MARGIN.right, MARGIN.top + plotHeight, AXIS_COLOR));
  parts.push(yAxisLabel(options.yLabel, height));
  options.series.forEach((series, s) => {
    const x = MARGIN.left + s * 150;
    const y = height - 12;
    parts.push(`<rect x="${px(x)}" y="${px(y - 9)}" width="10" height="10" fill="${escapeXml(series.color)}"/>`);
    parts.push(text(x + 14, y, series.name, "start"));
  });
  parts.push("</svg>");
  return parts.join("\n");
}

export function scatterSvg(options: ScatterChartOptions): string {
  const size = options.size ?? 420;
  if (options.points.length === 0) return emptyChart(options.title, size, size);
  const xs = options.points.map((point) => point.x);
  const ys = options.points.map((point) => point.y);
  const xTicks = options.diagonal ? niceTicks(Math.min(...xs, ...ys), Math.max(...xs, ...ys)) : niceTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = options.diagonal ? xTicks : niceTicks(Math.min(...ys), Math.max(...ys));
  const plotWidth = size - MARGIN.left - MARGIN.right;
  const plotHeight = size - MARGIN.top - MARGIN.bottom;
  const scale = (ticks: readonly number[], value: number): number => {
    const low = ticks[0];
    const high = ticks[ticks.length - 1];
    return high === low ? 0.5 : (value - low) / (high - low);
  };
  const xOf = (x: number): number => MARGIN.left + plotWidth * scale(xTicks, x);
  const yOf = (y: number): number => MARGIN.top + plotHeight * (1 - scale(yTicks, y));
  const parts: string[] = [openSvg(size, size, options.title), title(options.title, size)];
  for (const tick of xTicks) {
    parts.push(line(xOf(tick), MARGIN.top, xOf(tick), MARGIN.top + plotHeight, GRID_COLOR));
    parts.push(text(xOf(tick), MARGIN.top + plotHeight + 16, formatTick(tick), "middle"));
  }
  for (const tick of yTicks) {
    parts.push(line(MARGIN.left, yOf(tick), MARGIN.left + plotWidth, yOf(tick), GRID_COLOR));
    parts.push(text(MARGIN.left - 6, yOf(tick) + 4, formatTick(tick), "end"));
  }
  if (options.diagonal) {
    const low = xTicks[0];
    const high = xTicks[xTicks.length - 1];
    parts.push(`<line x1="${px(xOf(low))}" y1="${px(yOf(low))}" x2="${px(xOf(high))}" y2="${px(yOf(high))}" stroke="#c0392b" stroke-dasharray="4 3"/>`);
  }
  parts.push(`<g fill="#2e6fbf" fill-opacity="0.35">`);
  for (const point of options.points) parts.push(`<circle cx="${px(xOf(point.x))}" cy="${px(yOf(point.y))}" r="2"/>`);
  parts.push("</g>");
  parts.push(text(MARGIN.left + plotWidth / 2, size - 10, options.xLabel, "middle"));
  parts.push(yAxisLabel(options.yLabel, size));
  parts.push("</svg>");
  return parts.join("\n");
}

/** About five round tick values covering [min, max] (1, 2, 2.5 or 5 × a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return min === 0 ? [0, 1] : niceTicks(Math.min(0, min), Math.max(0, max), count);
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * power >= raw) ?? 10) * power;
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function openSvg(width: number, height: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(label)}" font-family="system-ui, sans-serif" font-size="11">`;
}

function title(label: string, width: number): string {
  return `<text x="${px(width / 2)}" y="18" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(label)}</text>`;
}

function yAxisLabel(label: string, height: number): string {
  const y = height / 2;
  return `<text x="14" y="${px(y)}" text-anchor="middle" transform="rotate(-90 14 ${px(y)})">${escapeXml(label)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, color: string): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" stroke="${color}"/>`;
}

function text(x: number, y: number, content: string, anchor: "start" | "middle" | "end", fontSize?: number): string {
  const size = fontSize === undefined ? "" : ` font-size="${fontSize}"`;
  return `<text x="${px(x)}" y="${px(y)}" text-anchor="${anchor}"${size}>${escapeXml(content)}</text>`;
}

function emptyChart(label: string, width: number, height: number): string {
  return [
    openSvg(width, height, label),
    title(label, width),
    text(width / 2, height / 2, "no data", "middle"),
    "</svg>",
  ].join("\n");
}
