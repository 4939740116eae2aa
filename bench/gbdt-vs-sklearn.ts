/**
 * Our histogram GBDT against scikit-learn's HistGradientBoostingRegressor, side by side on the same
 * seeded data, split and hyperparameters (sklearn's defaults, random_state 0).
 *
 * Data: 512 embedding-like columns (a 16-dim latent factor seen through a random linear map plus
 * noise, float32) and 20 table columns (log-normal counts, hour of day, duration, two categorical
 * codes, a few % missing), target = non-linear signal from both blocks + noise. The first `train`
 * rows train, the next `test` rows are held out. The data goes to a temp folder as binary files that
 * bench/sklearn_hgbr.py reads with numpy.
 *
 * Printed per train size: fit times of --runs fits each, interleaved (ours, sklearn, ours, ...) so
 * load from other processes hits both alike, as median and minimum (the first fit included for
 * both; ours with its worker thread, sklearn with OpenMP on all cores), held-out MAE, and the ratios ours/sklearn. A parity line refits ours
 * with binQuantile "averaged_inverted_cdf" (sklearn >= 1.6's thresholds) and reports the largest
 * difference from sklearn's test predictions. Then the predictor: rows/s in batch over the test rows and
 * the latency of one-row calls, ours and sklearn's predict().
 *
 * Needs python3; installs scikit-learn into ~/.cache/virality/bench-venv on first use (PyPI).
 * Usage: node dist/bench/gbdt-vs-sklearn.js [--train 10000,222] [--test 2500] [--runs 5] [--seed 1]
 * Goals at 10,000 × 532: MAE ratio ≤ 1.01, fit-time ratio ≤ 0.5.
 */
import type { ChildProcessByStdio } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { FeatureMatrix } from "../src/model/trees.js";
import { predictTrees, predictTreesRow, type TreeEnsemble } from "../src/model/trees.js";
import type { GbdtOptions } from "../trainer/gbdt/index.js";
import { fitGbdt } from "../trainer/gbdt/index.js";
import { Rng } from "../trainer/gbdt/rng.js";

const EMBEDDING = 512;
const TABLE = 20;
const LATENT = 16;
/** Table columns holding category codes (language 0..9, cluster 0..29). */
const CATEGORICAL = [EMBEDDING + 3, EMBEDDING + 4];

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

function uniform(rng: Rng): number {
  return (rng.nextUint32() + 0.5) / 0x1_0000_0000;
}

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(uniform(rng))) * Math.cos(2 * Math.PI * uniform(rng));
}

interface Dataset {
  readonly x: FeatureMatrix;
  readonly y: Float64Array;
}

function generate(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const d = EMBEDDING + TABLE;
  const loading = Float64Array.from({ length: LATENT * EMBEDDING }, () => gaussian(rng) / Math.sqrt(LATENT));
  const langEffect = Float64Array.from({ length: 10 }, () => 0.4 * gaussian(rng));
  const clusterEffect = Float64Array.from({ length: 30 }, () => 0.3 * gaussian(rng));
  const data = new Float32Array(n * d);
  const y = new Float64Array(n);
  const z = new Float64Array(LATENT);
  for (let i = 0; i < n; i++) {
    const row = data.subarray(i * d, (i + 1) * d);
    for (let k = 0; k < LATENT; k++) z[k] = gaussian(rng);
    for (let j = 0; j < EMBEDDING; j++) {
      let v = 0.5 * gaussian(rng);
      for (let k = 0; k < LATENT; k++) v += z[k] * loading[k * EMBEDDING + j];
      row[j] = v;
    }
    const views1h = Math.exp(3 + 1.5 * gaussian(rng) + 0.5 * z[0]);
    const likes1h = views1h * Math.exp(-3 + 0.5 * gaussian(rng));
    const hour = rng.below(24);
    const lang = rng.below(10);
    const cluster = rng.below(30);
    const duration = Math.exp(3.5 + 0.8 * gaussian(rng));
    const t = row.subarray(EMBEDDING);
    t[0] = views1h;
    t[1] = uniform(rng) < 0.05 ? NaN : likes1h;
    t[2] = hour;
    t[3] = lang;
    t[4] = cluster;
    t[5] = duration;
    for (let j = 6; j < TABLE; j++) t[j] = uniform(rng) < 0.03 ? NaN : gaussian(rng);
    y[i] =
      0.8 * Math.tanh(z[0]) +
      0.5 * z[1] * z[2] +
      0.3 * Math.sin(2 * z[3]) +
      0.6 * Math.log1p(views1h) +
      0.3 * Math.log1p(Number.isNaN(t[1]) ? 0 : likes1h) -
      0.4 * (hour >= 18 ? 1 : 0) +
      langEffect[lang] +
      clusterEffect[cluster] -
      0.2 * Math.log(duration) +
      0.3 * (Number.isNaN(t[6]) ? 0 : t[6]) * (t[7] > 0 ? 1 : 0) +
      0.4 * gaussian(rng);
  }
  return { x: { data, nRows: n, nCols: d, layout: "row-major" }, y };
}

function rowsOf(x: FeatureMatrix, from: number, to: number): FeatureMatrix {
  return { data: x.data.subarray(from * x.nCols, to * x.nCols), nRows: to - from, nCols: x.nCols, layout: "row-major" };
}

function mae(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - y[i]);
  return s / p.length;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface PredictorTiming {
  readonly batchRowsPerSecond: number;
  /** Seconds per one-row call. */
  readonly singleP50: number;
  readonly singleP99: number;
}

/**
 * Our predictor on the test rows: the whole matrix repeated for ≥ 1 s (rows/s), and one row at a time
 * through predictTreesRow (the scorer's path; each row a Float64Array, as assembly makes them), every
 * test row timed on its own after a warm-up pass.
 */
function timeOurPredictor(model: TreeEnsemble, test: FeatureMatrix): PredictorTiming {
  let reps = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < 1000) {
    predictTrees(model, test);
    reps++;
    elapsed = performance.now() - started;
  }
  const rows = Array.from({ length: test.nRows }, (_, i) => Float64Array.from(test.data.subarray(i * test.nCols, (i + 1) * test.nCols)));
  let sink = 0;
  for (const row of rows) sink += predictTreesRow(model, row);
  const calls: number[] = [];
  for (const row of rows) {
    const t0 = process.hrtime.bigint();
    sink += predictTreesRow(model, row);
    calls.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (!Number.isFinite(sink)) throw new Error("non-finite predictions");
  calls.sort((a, b) => a - b);
  return {
    batchRowsPerSecond: (reps * test.nRows) / (elapsed / 1000),
    singleP50: calls[Math.floor(calls.length / 2)] ?? Number.NaN,
    singleP99: calls[Math.min(calls.length - 1, Math.floor(0.99 * calls.length))] ?? Number.NaN,
  };
}

function timingText(t: PredictorTiming): string {
  return `batch ${Math.round(t.batchRowsPerSecond).toLocaleString("en-US")} rows/s, one row p50 ${(t.singleP50 * 1e6).toFixed(1)} µs, p99 ${(t.singleP99 * 1e6).toFixed(1)} µs`;
}

/** ~/.cache/virality/bench-venv with scikit-learn, created on first use. */
function benchPython(): string {
  const venv = path.join(homedir(), ".cache", "virality", "bench-venv");
  const python = path.join(venv, "bin", "python");
  const ready = (): boolean => {
    if (!existsSync(python)) return false;
    try {
      execFileSync(python, ["-c", "import sklearn, numpy, threadpoolctl"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (!ready()) {
    console.log(`installing scikit-learn into ${venv} (first run only)`);
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(python, ["-m", "pip", "install", "--quiet", "scikit-learn"], { stdio: "inherit" });
  }
  return python;
}

/** bench/sklearn_hgbr.py running as a child process, answering one JSON line per command. */
class SklearnServer {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  static async start(python: string, dir: string, data: Dataset, nTrain: number): Promise<SklearnServer> {
    const meta = { nRows: data.x.nRows, nCols: data.x.nCols, nTrain, categorical: CATEGORICAL, sklearnParams: { random_state: 0 } };
    await writeFile(path.join(dir, "meta.json"), JSON.stringify(meta));
    const x = data.x.data;
    await writeFile(path.join(dir, "X.f32"), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    await writeFile(path.join(dir, "y.f64"), Buffer.from(data.y.buffer, data.y.byteOffset, data.y.byteLength));
    const script = fileURLToPath(new URL("../../bench/sklearn_hgbr.py", import.meta.url));
    // Some machines set OPENBLAS_CORETYPE; it is not wanted for this one measurement.
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    const child = spawn(python, [script, dir], { env, stdio: ["pipe", "pipe", "inherit"] });
    return new SklearnServer(child);
  }

  async ask(command: string): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${command}\n`);
    const next = await this.lines.next();
    if (next.done === true) throw new Error(`sklearn_hgbr.py exited before answering "${command}"`);
    const reply: unknown = JSON.parse(next.value);
    if (typeof reply !== "object" || reply === null || "error" in reply) throw new Error(`sklearn_hgbr.py: ${next.value}`);
    return { ...reply };
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end("quit\n");
    await exited;
  }
}

function numberField(reply: Record<string, unknown>, key: string): number {
  const v = reply[key];
  if (typeof v !== "number") throw new Error(`sklearn_hgbr.py: "${key}" is not a number`);
  return v;
}

async function sklearnTestPredictions(dir: string): Promise<Float64Array> {
  const buf = await readFile(path.join(dir, "sklearn-test.f64"));
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

async function main(): Promise<void> {
  const trainSizes = option("train", "10000,222").split(",").map(Number);
  const nTest = Number(option("test", "2500"));
  const runs = Number(option("runs", "5"));
  const seed = Number(option("seed", "1"));
  const python = benchPython();
  const dir = path.join(tmpdir(), `virality-bench-gbdt-${process.pid}`);
  await mkdir(dir, { recursive: true });
  console.log(
    `Node ${process.version}; ${EMBEDDING} embedding + ${TABLE} table columns (2 categorical), test rows ${nTest}, ${runs} interleaved timed fits each`,
  );
  try {
    for (const nTrain of trainSizes) {
      const data = generate(nTrain + nTest, seed);
      const train = rowsOf(data.x, 0, nTrain);
      const test = rowsOf(data.x, nTrain, nTrain + nTest);
      const yTrain = data.y.subarray(0, nTrain);
      const yTest = data.y.subarray(nTrain);

      const sk = await SklearnServer.start(python, dir, data, nTrain);
      const info = await sk.ask("info");
      const options: GbdtOptions = { categoricalFeatures: CATEGORICAL, randomState: 0 };
      // Interleaved fits (ours, sklearn, ours, ...): load from other processes hits both alike.
      const oursSeconds: number[] = [];
      const skSeconds: number[] = [];
      let fit: Awaited<ReturnType<typeof fitGbdt>> | null = null;
      let skIter = 0;
      for (let r = 0; r < runs; r++) {
        const started = performance.now();
        fit = await fitGbdt(train, yTrain, options);
        oursSeconds.push((performance.now() - started) / 1000);
        const reply = await sk.ask("fit");
        skSeconds.push(numberField(reply, "seconds"));
        skIter = numberField(reply, "nIter");
      }
      if (fit === null) throw new Error("--runs must be at least 1");
      await sk.ask("predict");
      const skTiming = await sk.ask("time-predict");
      await sk.stop();
      const skPred = await sklearnTestPredictions(dir);
      const ours = predictTrees(fit.model, test);
      const parity = await fitGbdt(train, yTrain, { ...options, binQuantile: "averaged_inverted_cdf" });
      const parityPred = predictTrees(parity.model, test);
      let parityMax = 0;
      for (let i = 0; i < nTest; i++) parityMax = Math.max(parityMax, Math.abs(parityPred[i] - skPred[i]));

      const oursMae = mae(ours, yTest);
      const skMae = mae(skPred, yTest);
      const list = (xs: readonly number[]): string => xs.map((v) => v.toFixed(2)).join(", ");
      console.log(`\ntrain ${nTrain} × ${data.x.nCols}`);
      console.log(
        `  ours     fit median ${median(oursSeconds).toFixed(3)} s, min ${Math.min(...oursSeconds).toFixed(3)} s (runs ${list(oursSeconds)}), ` +
          `${fit.nIter} iterations, ${fit.threads} thread(s), test MAE ${oursMae.toFixed(5)}`,
      );
      console.log(
        `  sklearn  fit median ${median(skSeconds).toFixed(3)} s, min ${Math.min(...skSeconds).toFixed(3)} s (runs ${list(skSeconds)}), ` +
          `${skIter} iterations, ${String(info["threads"] ?? "?")} OpenMP thread(s), test MAE ${skMae.toFixed(5)} (scikit-learn ${String(info["version"])})`,
      );
      console.log(
        `  ratio ours/sklearn: MAE ${(oursMae / skMae).toFixed(4)}, fit time ${(median(oursSeconds) / median(skSeconds)).toFixed(3)} (medians), ` +
          `${(Math.min(...oursSeconds) / Math.min(...skSeconds)).toFixed(3)} (minima)`,
      );
      console.log(`  parity (ours with binQuantile averaged_inverted_cdf vs sklearn): max |Δ prediction| ${parityMax.toExponential(2)}`);
      const ourTiming = timeOurPredictor(fit.model, test);
      const theirTiming: PredictorTiming = {
        batchRowsPerSecond: numberField(skTiming, "batchRowsPerSecond"),
        singleP50: numberField(skTiming, "singleP50"),
        singleP99: numberField(skTiming, "singleP99"),
      };
      console.log(`  predictor (${fit.nIter}-tree model, ${nTest} test rows):`);
      console.log(`    ours     ${timingText(ourTiming)} (one thread)`);
      console.log(`    sklearn  ${timingText(theirTiming)} (predict(); batch on its OpenMP threads)`);
      console.log(
        `    ratio ours/sklearn: batch rows/s ${(ourTiming.batchRowsPerSecond / theirTiming.batchRowsPerSecond).toFixed(2)}, ` +
          `one-row p50 time ${(ourTiming.singleP50 / theirTiming.singleP50).toFixed(4)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
