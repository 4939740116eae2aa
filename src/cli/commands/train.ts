/**
 * `virality train`: fused.pt + a features table → a model bundle with one model per stage, a summary
 * table, report.html and report.json.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseColumnOverrides } from "../../features/overrides.js";
import { STAGES, isStage, type Stage } from "../../features/stages.js";
import { saveBundle } from "../../model/bundle.js";
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { train, type CategoricalHandling, type TrainResult } from "../../../trainer/train.js";
import { writeReports } from "../../../trainer/report-files.js";
import { gbdtOptions, gbdtOptionsFrom } from "./gbdt-flags.js";
import { parseSeed } from "./seed-flag.js";

function fraction(name: string, example: string): (value: string) => number {
  return (value) => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`${name} must be a number between 0 and 1, e.g. ${example}; got "${value}"`);
    return n;
  };
}

function categorical(value: string): CategoricalHandling {
  if (value === "codes" || value === "native") return value;
  throw new InvalidArgumentError(`--categorical must be codes or native, got "${value}"`);
}

function stageList(value: string): Stage[] {
  const stages = value.split(",").map((s) => s.trim());
  for (const s of stages) if (!isStage(s)) throw new InvalidArgumentError(`unknown stage "${s}" (upload, 1h, 6h)`);
  return stages.filter(isStage);
}

interface TrainCliOptions {
  fused: string;
  features: string;
  target: string;
  transform: string;
  split?: string;
  out: string;
  seed: number;
  tune: boolean;
  stages: Stage[];
  interval: number;
  testFraction: number;
  categorical: CategoricalHandling;
  columns?: string;
  progress: boolean;
}

function fmt(n: number, digits = 3): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

export function summaryTable(result: TrainResult): string {
  const header = ["stage", "n train", "n test", "MAE", "×views", "R²", "Spearman", "best baseline", "baseline MAE", "beats?", "coverage"];
  const rows = result.stages.map((s) => [
    s.stage,
    String(s.nTrain),
    String(s.nTest),
    fmt(s.metrics.mae),
    fmt(Math.exp(s.metrics.mae), 2),
    fmt(s.metrics.r2),
    fmt(s.metrics.spearman),
    s.bestBaseline.name,
    fmt(s.bestBaseline.metrics.mae),
    s.beatsBaseline ? "yes" : "NO",
    `${fmt(s.coverage.coverage * 100, 1)}% of ${fmt(s.coverage.level * 100, 0)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function registerTrain(program: Command): void {
  const command = program
    .command("train")
    .description("train one model per stage (upload, 1h, 6h) and write model.json, report.html and report.json")
    .requiredOption("--fused <file>", "fused embeddings, a torch file {ids: list[str], fused: float tensor [n, d]}")
    .requiredOption("--features <file>", "features/labels table (.csv, .tsv or .parquet) keyed by video_id")
    .option("--target <column>", "label column", "views_7d")
    .option("--transform <kind>", "target transform: log1p or none", "log1p")
    .option("--split <kind>", "time (default when uploaded_at exists: train on older uploads) or random")
    .option("--out <dir>", "output folder", "models")
    .option("--seed <n>", "seed for splits, subsamples, binning, early stopping and importance", parseSeed, 0)
    .option("--tune", "small time-ordered search over learning rate and leaf size for the 1h/6h models", false)
    .addOption(new Option("--stages <list>", "stages to train, comma-separated").argParser(stageList).default([...STAGES], STAGES.join(",")))
    .option("--interval <level>", "nominal coverage of the conformal intervals", fraction("--interval", "0.9"), 0.9)
    .option("--test-fraction <f>", "share of rows held out for testing", fraction("--test-fraction", "0.2"), 0.2)
    .option(
      "--categorical <how>",
      "how the trees see categorical columns: codes (most frequent first, split like numbers) or native (category-set splits, sklearn's categorical_features)",
      categorical,
      "codes",
    )
    .option("--columns <file>", "column overrides (YAML/JSON): numeric, categorical, ignore, stages")
    .option("--no-progress", "no progress bars");
  for (const option of gbdtOptions()) command.addOption(option);
  command.action(async (options: TrainCliOptions, self: Command) => {
    if (options.transform !== "log1p" && options.transform !== "none") {
      throw new InvalidArgumentError(`--transform must be log1p or none, got "${options.transform}"`);
    }
    if (options.split !== undefined && options.split !== "time" && options.split !== "random") {
      throw new InvalidArgumentError(`--split must be time or random, got "${options.split}"`);
    }
    const overrides = options.columns === undefined ? undefined : parseColumnOverrides(parseYaml(await readFile(options.columns, "utf8")));
    const gbdt = gbdtOptionsFrom(self.opts(), options.seed);
    const showBars = options.progress && process.stderr.isTTY === true;
    const bars = showBars ? new MultiBar({ format: " {stage} |{bar}| {percentage}% {step}", hideCursor: true, clearOnComplete: false }, Presets.shades_classic) : null;
    const stageBars = new Map<string, SingleBar>();
    const started = Date.now();
    const result = await train({
      fused: options.fused,
      features: options.features,
      target: options.target,
      transform: options.transform,
      ...(options.split === "time" || options.split === "random" ? { split: options.split } : {}),
      testFraction: options.testFraction,
      intervalLevel: options.interval,
      seed: options.seed,
      tune: options.tune,
      stages: options.stages,
      gbdt,
      categorical: options.categorical,
      ...(overrides ? { overrides } : {}),
      onProgress: (event) => {
        if (event.stage === null) {
          if (!showBars && options.progress) process.stderr.write(`… ${event.step}\n`);
          return;
        }
        if (bars === null) {
          if (options.progress) process.stderr.write(`  [${event.stage}] ${event.step}\n`);
          return;
        }
        let bar = stageBars.get(event.stage);
        if (bar === undefined) {
          bar = bars.create(100, 0, { stage: event.stage.padEnd(6), step: "" });
          stageBars.set(event.stage, bar);
        }
        bar.update(Math.round(event.fraction * 100), { step: event.step });
      },
    });
    bars?.stop();
    await mkdir(options.out, { recursive: true });
    const bundlePath = path.join(options.out, "model.json");
    await saveBundle(result.bundle, bundlePath);
    const reports = await writeReports(result, options.out, { seed: options.seed, testFraction: options.testFraction, calibrationFraction: 0.2 });
    const j = result.join;
    console.log(
      `joined ${j.matched} videos (${j.tableOnly} only in the table${j.tableOnlyExamples.length ? `, e.g. ${j.tableOnlyExamples.join(", ")}` : ""}; ` +
        `${j.fusedOnly} only in fused.pt${j.fusedOnlyExamples.length ? `, e.g. ${j.fusedOnlyExamples.join(", ")}` : ""})` +
        (result.droppedRows > 0 ? `; ${result.droppedRows} rows without ${result.target.column} left out` : ""),
    );
    console.log(`target ${result.target.transform === "log1p" ? `log1p(${result.target.column})` : result.target.column}, ${result.split} split, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    console.log(summaryTable(result));
    for (const s of result.stages) {
      if (!s.beatsBaseline) console.log(`\nNote: the ${s.stage} model does NOT beat its best baseline (${s.bestBaseline.name}) on held-out data.`);
    }
    console.log(`\nmodel ${result.bundle.version} → ${bundlePath}\nreport → ${reports.html}\n         ${reports.json}`);
  });
}
