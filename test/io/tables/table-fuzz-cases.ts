/**
 * The features-table fuzzer shared by test/io/tables/table-fuzz.test.ts (a fixed seed, ≥ 1,000 cases
 * per run) and bench/table-fuzz.ts (more cases, any seed). It mutates CSV, TSV and Parquet files
 * written by writeTable — bit flips, truncation, inserted quotes/delimiters/newlines/NUL/BOM, huge
 * fields, duplicated and deleted rows, edits of the Parquet footer — writes each case to a file and
 * classifies what readTable (in a worker thread, so a hang can be timed out) does with it: a
 * consistent Table, a ViralityError naming the file, or a failure (another exception, a hang, an
 * inconsistent table, an error that does not name the file).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { tableFromColumns, writeTable, type Table } from "../../../src/io/tables/index.js";
import { prng } from "../pt-fuzz-cases.js";
import type { WorkerOutcome } from "./table-fuzz-worker.js";

export type SeedFormat = "csv" | "tsv" | "parquet";

export interface TableSeed {
  readonly name: string;
  readonly format: SeedFormat;
  readonly bytes: Uint8Array;
}

/** The tables the seeds are written from: numbers with gaps, text that needs quoting, a one-row and an empty table. */
function seedTables(): Record<string, Table> {
  const rows = 24;
  const ids = Array.from({ length: rows }, (_, i) => `v${String(i).padStart(3, "0")}`);
  const text = ['plain', 'with, comma', 'with "quotes"', 'two\nlines', ' padded ', 'tab\there', 'café ✓', null];
  return {
    mixed: tableFromColumns({
      video_id: ids,
      views_1h: Float64Array.from(ids, (_, i) => (i % 7 === 3 ? Number.NaN : i * 137)),
      retention_1h: Float64Array.from(ids, (_, i) => (i % 5 === 0 ? Number.NaN : 1 / (i + 1))),
      title: ids.map((_, i) => text[i % text.length] ?? null),
      language: ids.map((_, i) => (i % 3 === 0 ? null : ["en", "pt-BR", "ja"][i % 3] ?? null)),
    }),
    numbers: tableFromColumns({
      video_id: Array.from({ length: 40 }, (_, i) => `n${i}`),
      a: Float64Array.from({ length: 40 }, (_, i) => i - 20),
      b: Float64Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? Number.NaN : 1.5e-300 * (i + 1))),
      c: Float64Array.from({ length: 40 }, (_, i) => 2 ** (i * 20)),
      d: Float64Array.from({ length: 40 }, (_, i) => Math.sin(i)),
    }),
    multiline: tableFromColumns({
      video_id: ["m1", "m,2", 'm"3', "m4"],
      notes: ['a "quoted"\r\nline', "", "x\ty,z", "last\n"],
      n: [1, null, 3, 4],
    }),
    "one-row": tableFromColumns({ video_id: ["only"], x: [1] }),
    empty: tableFromColumns({ video_id: [], x: [] }),
  };
}

/** Every seed table written by writeTable as CSV, TSV and Parquet, read back as bytes. */
export async function loadTableSeeds(): Promise<TableSeed[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "virality-table-seeds-"));
  const seeds: TableSeed[] = [];
  try {
    for (const [name, table] of Object.entries(seedTables())) {
      for (const format of ["csv", "tsv", "parquet"] as const) {
        const file = path.join(dir, `${name}.${format}`);
        await writeTable(file, table);
        seeds.push({ name: `${name}.${format}`, format, bytes: new Uint8Array(await readFile(file)) });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return seeds;
}

const TEXT_TOKENS: readonly string[] = ['"', ",", "\t", "\n", "\r", "\r\n", "\0", '""', '","', '"\n"', "\uFEFF", "NaN", "1e999", "-", "video_id"];
const RAW_TOKENS: readonly (readonly number[])[] = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80]];
const INTERESTING = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x22, 0x2c, 0x30, 0x7f, 0x80, 0xff];
/** A varint of 2^35 - 1 and a 4-byte all-ones int: declared sizes and counts far beyond the file. */
const HUGE_DECLARATIONS: readonly (readonly number[])[] = [[0xff, 0xff, 0xff, 0xff, 0x7f], [0xff, 0xff, 0xff, 0x7f], [0x80, 0x80, 0x80, 0x80, 0x10]];
const encoder = new TextEncoder();

function insert(bytes: Uint8Array, at: number, chunk: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + chunk.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(chunk, at);
  out.set(bytes.subarray(at), at + chunk.length);
  return out;
}

function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && i + 1 < bytes.length) starts.push(i + 1);
  return starts;
}

/** The [start, end) of a Parquet file's footer: the Thrift metadata, its length and the closing magic. */
function footer(bytes: Uint8Array): { start: number; end: number } {
  if (bytes.length < 12) return { start: 0, end: bytes.length };
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 8, true);
  return { start: Math.max(0, bytes.length - 8 - length), end: bytes.length };
}

/** A huge field: up to 128 KB of letters, digits or doubled quotes, optionally quoted. */
function hugeField(random: () => number): Uint8Array {
  const size = 1 << (10 + Math.floor(random() * 8));
  const kind = Math.floor(random() * 4);
  if (kind === 0) return encoder.encode("x".repeat(size));
  if (kind === 1) return encoder.encode("9".repeat(size));
  if (kind === 2) return encoder.encode(`"${'ab""'.repeat(size / 4)}"`);
  return encoder.encode(`"${"é\n,".repeat(size / 4)}"`);
}

/**
 * One mutated copy of a seed. Text seeds get token insertions, huge fields, duplicated/deleted lines
 * as well as byte-level edits; Parquet seeds get byte-level edits, half of them inside the footer, and
 * huge declared sizes written over the footer's integers.
 */
export function mutate(seed: TableSeed, random: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(random() * n);
  let out: Uint8Array = new Uint8Array(seed.bytes);
  if (out.length === 0) return out;
  const region = seed.format === "parquet" && random() < 0.5 ? footer(out) : { start: 0, end: out.length };
  const at = (): number => region.start + pick(Math.max(1, region.end - region.start));
  const strategy = pick(8);
  if (strategy === 0) {
    for (let i = 1 + pick(8); i > 0; i--) out[at()] ^= 1 << pick(8);
  } else if (strategy === 1) {
    for (let i = 1 + pick(4); i > 0; i--) out[at()] = INTERESTING[pick(INTERESTING.length)] ?? 0;
  } else if (strategy === 2) {
    out = out.slice(0, pick(out.length));
  } else if (strategy === 3) {
    for (let i = 1 + pick(4); i > 0; i--) {
      const token = random() < 0.8 ? encoder.encode(TEXT_TOKENS[pick(TEXT_TOKENS.length)] ?? '"') : Uint8Array.from(RAW_TOKENS[pick(RAW_TOKENS.length)] ?? [0xff]);
      out = insert(out, at(), token);
    }
  } else if (strategy === 4) {
    if (seed.format === "parquet") {
      const declaration = Uint8Array.from(HUGE_DECLARATIONS[pick(HUGE_DECLARATIONS.length)] ?? [0xff]);
      const { start, end } = footer(out);
      const room = end - 8 - declaration.length - start;
      if (room > 0) out.set(declaration, start + pick(room));
    } else {
      const starts = lineStarts(out);
      const line = starts[pick(starts.length)] ?? 0;
      const fieldStart = random() < 0.5 ? line : at();
      out = insert(out, fieldStart, hugeField(random));
    }
  } else if (strategy === 5) {
    // duplicated rows: a run of lines (text) or of bytes (Parquet) inserted again elsewhere
    if (seed.format === "parquet") {
      const from = at();
      out = insert(out, at(), out.slice(from, from + 1 + pick(256)));
    } else {
      const starts = lineStarts(out);
      const first = pick(starts.length);
      const last = Math.min(starts.length, first + 1 + pick(3));
      const rows = out.slice(starts[first] ?? 0, starts[last] ?? out.length);
      out = insert(out, starts[pick(starts.length)] ?? 0, rows);
    }
  } else if (strategy === 6) {
    const from = at();
    out.copyWithin(at(), from, from + 1 + pick(64));
  } else {
    // deleted bytes: a line's end, half a quoted field, part of a page or of the footer
    const from = at();
    const length = 1 + pick(seed.format === "parquet" ? 32 : 12);
    out = Buffer.concat([out.subarray(0, from), out.subarray(from + length)]);
  }
  return out;
}

/** The case's own PRNG, so one case can be replayed alone from (seed value, index). */
export function caseRandom(seedValue: number, index: number): () => number {
  return prng((Math.imul(seedValue, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

export type FailureKind = "crash" | "hang" | "bad-table" | "unnamed";

export interface FuzzFailure {
  readonly kind: FailureKind;
  readonly seed: string;
  readonly index: number;
  readonly error: string;
  /** The mutated file, to keep as a regression case. */
  readonly bytes: Uint8Array;
}

export interface TableFuzzTally {
  cases: number;
  parsed: number;
  refused: number;
  readonly byFormat: Map<SeedFormat, { parsed: number; refused: number }>;
  readonly codes: Map<string, number>;
  /** Each one is a bug. */
  readonly failures: FuzzFailure[];
}

/** No case may take this long: the files are at most a few hundred KB. */
export const HANG_MS = 5_000;
/** A reader that needs more heap than this for a file of a few hundred KB is a bug too. */
const WORKER_HEAP_MB = 512;

function isWorkerOutcome(value: unknown): value is WorkerOutcome {
  if (typeof value !== "object" || value === null || !("kind" in value)) return false;
  switch (value.kind) {
    case "parsed":
      return true;
    case "bad-table":
      return "problem" in value && typeof value.problem === "string";
    case "refused":
      return "code" in value && typeof value.code === "string" && "message" in value && typeof value.message === "string";
    case "crash":
      return "error" in value && typeof value.error === "string";
    default:
      return false;
  }
}

export type ReadResult = WorkerOutcome | { readonly kind: "hang" };

/**
 * readTable in a worker thread (table-fuzz-worker.ts), one file at a time. A case that gives no
 * outcome within HANG_MS — a synchronous loop included — terminates the worker; the next case gets a
 * fresh one. A worker that dies (out of memory) is a crash of its case.
 */
class ReaderWorker {
  #worker: Worker | undefined;

  #start(): Worker {
    const worker = new Worker(new URL("./table-fuzz-worker.js", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    // an error between cases is still reported to the case in flight, if any; never left unhandled
    worker.on("error", () => undefined);
    return worker;
  }

  read(file: string, ms: number): Promise<ReadResult> {
    const worker = (this.#worker ??= this.#start());
    return new Promise<ReadResult>((resolve) => {
      const settle = (result: ReadResult, stop: boolean): void => {
        clearTimeout(timer);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        if (stop) this.#discard();
        resolve(result);
      };
      const onMessage = (message: unknown): void => {
        settle(isWorkerOutcome(message) ? message : { kind: "crash", error: `unexpected worker message ${JSON.stringify(message)}` }, false);
      };
      const onError = (error: Error): void => settle({ kind: "crash", error: `the reader's worker died: ${error.name}: ${error.message}` }, true);
      const onExit = (code: number): void => settle({ kind: "crash", error: `the reader's worker exited with code ${code}` }, true);
      const timer = setTimeout(() => settle({ kind: "hang" }, true), ms);
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      worker.postMessage(file);
    });
  }

  #discard(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    void worker?.terminate();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }
}

/** readTable of one file in a fresh worker: its outcome, a hang, or a crash (an error that escaped it included). */
export async function readInWorker(file: string): Promise<ReadResult> {
  const reader = new ReaderWorker();
  try {
    return await reader.read(file, HANG_MS);
  } finally {
    await reader.close();
  }
}

/** Reads one mutated file and adds its outcome to the tally. */
async function runCase(tally: TableFuzzTally, reader: ReaderWorker, seed: TableSeed, index: number, bytes: Uint8Array, file: string): Promise<void> {
  await writeFile(file, bytes);
  tally.cases += 1;
  const failure = (kind: FailureKind, error: string): void => {
    tally.failures.push({ kind, seed: seed.name, index, error, bytes });
  };
  const counts = tally.byFormat.get(seed.format) ?? { parsed: 0, refused: 0 };
  tally.byFormat.set(seed.format, counts);
  const outcome = await reader.read(file, HANG_MS);
  switch (outcome.kind) {
    case "hang":
      return failure("hang", `no outcome after ${HANG_MS} ms`);
    case "crash":
      return failure("crash", outcome.error);
    case "bad-table":
      return failure("bad-table", outcome.problem);
    case "parsed":
      tally.parsed += 1;
      counts.parsed += 1;
      return;
    case "refused":
      if (!outcome.message.includes(file) || outcome.file !== file) return failure("unnamed", `${outcome.code}: ${outcome.message}`);
      tally.refused += 1;
      counts.refused += 1;
      tally.codes.set(outcome.code, (tally.codes.get(outcome.code) ?? 0) + 1);
  }
}

/** Runs `count` mutated cases (seeds taken in turn) from `seedValue`, in a temporary folder of its own. */
export async function fuzzTables(seeds: readonly TableSeed[], seedValue: number, count: number): Promise<TableFuzzTally> {
  const tally: TableFuzzTally = { cases: 0, parsed: 0, refused: 0, byFormat: new Map(), codes: new Map(), failures: [] };
  const dir = await mkdtemp(path.join(tmpdir(), "virality-table-fuzz-"));
  const reader = new ReaderWorker();
  try {
    for (let index = 0; index < count; index++) {
      const seed = seeds[index % seeds.length];
      if (seed === undefined) break;
      const file = path.join(dir, `case-${index}.${seed.format}`);
      await runCase(tally, reader, seed, index, mutate(seed, caseRandom(seedValue, index)), file);
      await rm(file, { force: true });
    }
  } finally {
    await reader.close();
    await rm(dir, { recursive: true, force: true });
  }
  return tally;
}
