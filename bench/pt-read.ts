/**
 * Reading a realistic fused.pt: 100,000 × 768 float32 (307 MB of tensor) written by writeFused to the OS
 * temp folder, then read with readFused in a fresh child process (node --expose-gc), which reports the
 * read time and its peak RSS, Node's own baseline included. The peak is the child's VmHWM from
 * /proc/self/status: getrusage's maxRSS would be wrong here, because Linux carries the forking parent's
 * high-water mark (this process, holding the 307 MB it wrote) across fork and exec into the child.
 *
 * Usage: node dist/bench/pt-read.js [--rows 100000] [--dim 768] [--runs 3]
 * Goals: ≥ 500 MB/s, peak RSS ≤ 1.3 × the tensor bytes.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readFused, writeFused } from "../src/io/fused.js";

interface ChildReport {
  readonly seconds: number;
  readonly baselineRss: number;
  readonly maxRss: number;
  readonly rows: number;
  readonly checksum: number;
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** This process's peak resident set: VmHWM on Linux, getrusage's maxRSS elsewhere. */
function peakRss(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match?.[1] !== undefined) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function child(file: string): Promise<void> {
  const gc = globalThis.gc;
  gc?.();
  const baselineRss = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const fused = await readFused(file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let checksum = 0;
  for (let i = 0; i < fused.data.length; i += 4099) checksum += fused.data[i] ?? 0;
  const report: ChildReport = {
    seconds,
    baselineRss,
    maxRss: peakRss(),
    rows: fused.ids.length,
    checksum,
  };
  console.log(JSON.stringify(report));
}

async function parent(): Promise<void> {
  const rows = flag("rows", 100_000);
  const dim = flag("dim", 768);
  const runs = flag("runs", 3);
  const file = path.join(tmpdir(), `virality-bench-${process.pid}-${randomBytes(4).toString("hex")}-fused.pt`);
  try {
    const ids = Array.from({ length: rows }, (_, i) => `video-${String(i).padStart(6, "0")}`);
    const data = new Float32Array(rows * dim);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
    const writeStart = process.hrtime.bigint();
    await writeFused(file, ids, dim, data);
    const writeSeconds = Number(process.hrtime.bigint() - writeStart) / 1e9;
    const fileBytes = (await stat(file)).size;
    const tensorBytes = rows * dim * 4;
    const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
    console.log(`fused.pt ${rows} × ${dim} float32: tensor ${mb(tensorBytes)} MB, file ${mb(fileBytes)} MB`);
    console.log(`write (writeFused, incl. CRC-32 and fsync)  ${writeSeconds.toFixed(3)} s  ${(fileBytes / 1e6 / writeSeconds).toFixed(0)} MB/s`);
    // A check in this process too: the values read are the values written.
    const back = await readFused(file);
    if (back.ids.length !== rows || back.data.some((v, i) => v !== data[i])) throw new Error("read-back mismatch");

    const script = fileURLToPath(import.meta.url);
    for (let run = 1; run <= runs; run++) {
      const output = execFileSync(process.execPath, ["--expose-gc", script, "--child", file], { encoding: "utf8" });
      const report = parseReport(output);
      console.log(
        `read run ${run}: ${report.seconds.toFixed(3)} s  ${(fileBytes / 1e6 / report.seconds).toFixed(0)} MB/s  ` +
          `peak RSS ${mb(report.maxRss)} MB = ${(report.maxRss / tensorBytes).toFixed(2)} × tensor bytes ` +
          `(Node baseline before the read ${mb(report.baselineRss)} MB)`,
      );
    }
  } finally {
    await rm(file, { force: true });
  }
}

function parseReport(output: string): ChildReport {
  const parsed: unknown = JSON.parse(output.trim().split("\n").pop() ?? "{}");
  if (typeof parsed !== "object" || parsed === null) throw new Error(`child printed ${output}`);
  const get = (key: string): number => {
    const value: unknown = Reflect.get(parsed, key);
    if (typeof value !== "number") throw new Error(`child report lacks ${key}: ${output}`);
    return value;
  };
  return { seconds: get("seconds"), baselineRss: get("baselineRss"), maxRss: get("maxRss"), rows: get("rows"), checksum: get("checksum") };
}

const childAt = process.argv.indexOf("--child");
const childFile = childAt >= 0 ? process.argv[childAt + 1] : undefined;
if (childFile !== undefined) await child(childFile);
else await parent();
