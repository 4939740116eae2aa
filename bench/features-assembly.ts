/**
 * Feature assembly throughput: join + assembly of 100k table rows × 50 columns with d = 64 embeddings,
 * through the one path the trainer uses (recordsFromTableRow → assemble). Optionally (--io) also
 * writes and reads the table as CSV and Parquet.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/features-assembly.js [--rows 100000] [--io]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { performance } from "node:perf_hooks";
import { assembleJoined, buildSpec, STAGES } from "../src/features/index.js";
import { joinWithEmbeddings, type EmbeddingMatrix } from "../src/io/join.js";
import { readTable, tableFromColumns, writeTable, type ColumnInput, type Table } from "../src/io/tables/index.js";

const HOUR = 3_600_000;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index < 0 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/** A deterministic pseudo-random stream (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 50 columns: key, upload time, 5 metadata, 7 + 6 engagement (1h, 6h), 2 labels, 28 extras. */
function makeTable(rows: number): Table {
  const next = random(7);
  const numbers = (f: (i: number) => number, missingShare = 0): Float64Array =>
    Float64Array.from({ length: rows }, (_, i) => (next() < missingShare ? Number.NaN : f(i)));
  const texts = (f: (i: number) => string | null): Array<string | null> => Array.from({ length: rows }, (_, i) => f(i));
  const start = Date.UTC(2024, 0, 1);
  const columns: Record<string, ColumnInput> = {
    video_id: texts((i) => `v${i.toString(36).padStart(8, "0")}`),
    uploaded_at: numbers((i) => Math.floor((start + i * 60_000) / 1000)),
    channel_id: texts(() => `UC${Math.floor(next() ** 2 * 5000)}`),
    duration_seconds: numbers(() => 5 + next() * 600, 0.02),
    language: texts(() => ["en", "pt", "es", "hi", "ja", null][Math.floor(next() * 6)] ?? null),
    captions: numbers(() => (next() < 0.4 ? 1 : 0)),
    cluster_id: numbers(() => Math.floor(next() * 200)),
  };
  for (const window of ["1h", "6h"]) {
    const scale = window === "1h" ? 1 : 6;
    columns[`views_${window}`] = numbers(() => Math.floor(next() * 1000 * scale), 0.05);
    columns[`likes_${window}`] = numbers(() => Math.floor(next() * 100 * scale), 0.05);
    columns[`comments_${window}`] = numbers(() => Math.floor(next() * 10 * scale), 0.05);
    columns[`shares_${window}`] = numbers(() => Math.floor(next() * 5 * scale), 0.05);
    columns[`retention_${window}`] = numbers(() => next(), 0.1);
    columns[`watch_time_seconds_${window}`] = numbers(() => next() * 1e4 * scale, 0.1);
  }
  columns.observed_at_1h = numbers((i) => Math.floor((start + i * 60_000 + HOUR + (next() < 0.05 ? 2 * HOUR : 0)) / 1000));
  columns.views_24h = numbers(() => Math.floor(next() * 20_000));
  columns.views_7d = numbers(() => Math.floor(next() * 100_000));
  for (let k = 0; Object.keys(columns).length < 45; k++) columns[`extra_num_${k}`] = numbers(() => next() * 100, 0.01);
  for (let k = 0; Object.keys(columns).length < 50; k++) {
    columns[`extra_cat_${k}`] = texts(() => `c${Math.floor(next() * 20)}`);
  }
  return tableFromColumns(columns, "bench-table");
}

function makeFused(table: Table, dim: number): EmbeddingMatrix {
  const key = table.byName.get("video_id");
  if (key?.type !== "text") throw new Error("no video_id");
  const ids = key.values.filter((id): id is string => id !== null).reverse();
  const next = random(11);
  return { ids, dim, data: Float32Array.from({ length: ids.length * dim }, () => next() * 2 - 1) };
}

function time<T>(label: string, rows: number, run: () => T): T {
  const started = performance.now();
  const result = run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(3).padStart(7)} s  ${Math.round(rows / seconds).toLocaleString("en-US").padStart(11)} rows/s`);
  return result;
}

async function timeAsync<T>(label: string, rows: number, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(3).padStart(7)} s  ${Math.round(rows / seconds).toLocaleString("en-US").padStart(11)} rows/s`);
  return result;
}

async function main(): Promise<void> {
  const rows = argument("--rows", 100_000);
  const dim = argument("--dim", 64);
  const table = makeTable(rows);
  const fused = makeFused(table, dim);
  console.log(`node ${process.version}; ${rows} rows × ${table.columns.length} table columns, d = ${dim}`);

  const join = time("join", rows, () => joinWithEmbeddings(table, fused));
  const { spec } = time("buildSpec (all rows)", rows, () => buildSpec(table, join));
  console.log(`features: ${spec.features.length} table features + ${dim} embedding dims`);
  for (const stage of STAGES) {
    const matrix = time(`assemble ${stage} (raw)`, rows, () => assembleJoined(spec, stage, table, join));
    if (matrix.rows !== join.tableRows.length) throw new Error("row count");
  }
  time("assemble 6h (ridge variant)", rows, () => assembleJoined(spec, "6h", table, join, { variant: "ridge" }));
  time("join + assemble 6h (raw)", rows, () => assembleJoined(spec, "6h", table, joinWithEmbeddings(table, fused)));

  if (process.argv.includes("--io")) {
    const dir = await mkdtemp(joinPath(tmpdir(), "virality-bench-"));
    try {
      for (const extension of ["csv", "parquet"]) {
        const path = joinPath(dir, `table.${extension}`);
        await timeAsync(`write ${extension}`, rows, () => writeTable(path, table));
        await timeAsync(`read ${extension}`, rows, () => readTable(path));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

await main();
