// Proves `virality train` (the real CLI, a real process) has a flag for every GBDT hyperparameter, refuses a bad value naming its flag before reading any file, and that the values given reach the fitted trees and report.json.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { GBDT_FLAGS } from "../../src/cli/commands/gbdt-flags.js";
import { loadConfig } from "../../src/config.js";
import { isRecord } from "../../src/json-guards.js";
import { featuresOfStage } from "../../src/features/spec.js";
import { parseBundle } from "../../src/model/bundle.js";
import type { TreeEnsemble } from "../../src/model/trees.js";
import { simulateWorld } from "../../src/sim/world.js";
import { writeWorld } from "../../src/sim/write.js";
import { GBDT_DEFAULTS } from "../../trainer/gbdt/index.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../sim/helpers.js";

// train touches no service: the defaults are enough to run the CLI
const config = loadConfig({ env: {} });

test("every GBDT hyperparameter but the seed and the categorical columns has its own flag", () => {
  const flagged = GBDT_FLAGS.map((flag) => flag.key).sort();
  const settable = Object.keys(GBDT_DEFAULTS)
    .filter((key) => key !== "categoricalFeatures" && key !== "randomState")
    .sort();
  assert.deepEqual(flagged, settable);
});

const BAD_VALUES: ReadonlyArray<readonly [string, string, RegExp]> = [
  ["--learning-rate", "0", /must be > 0/],
  ["--max-iter", "2.5", /must be an integer >= 1/],
  ["--max-leaf-nodes", "1", /must be an integer >= 2/],
  ["--max-depth", "deep", /must be an integer >= 1/],
  ["--min-samples-leaf", "0", /must be an integer >= 1/],
  ["--l2", "abc", /must be >= 0/],
  ["--max-bins", "256", /must be an integer in \[2, 255\]/],
  ["--bin-subsample", "", /must be an integer >= 1/],
  ["--bin-quantile", "linear", /must be midpoint or averaged_inverted_cdf, got "linear"/],
  ["--early-stopping", "yes", /must be auto, on or off, got "yes"/],
  ["--validation-fraction", "1", /must be in \(0, 1\)/],
  ["--n-iter-no-change", "-3", /must be an integer >= 1/],
  ["--tol", "-1e-7", /must be >= 0/],
  ["--threads", "4", /must be auto, 1 or 2, got "4"/],
  ["--seed", "-1", /must be a whole number from 0 to 4294967295/],
  ["--categorical", "one-hot", /must be codes or native/],
  ["--test-fraction", "1.5", /must be a number between 0 and 1/],
];

test("a bad value of any training flag fails before any file is read, naming the flag and what it accepts", async (t) => {
  const dir = await tempDir(t, "train-flags");
  const missing = path.join(dir, "not-there.pt");
  for (const [flag, value, problem] of BAD_VALUES) {
    const run = await runCli(config, ["train", "--fused", missing, "--features", path.join(dir, "not-there.csv"), "--out", dir, flag, value]);
    assert.notEqual(run.code, 0, `${flag} ${value} was accepted`);
    assert.match(run.stderr, new RegExp(`${flag.replace(/[-]/g, "\\-")} ${problem.source}`), `${flag} ${value}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /not-there/, `${flag} ${value} was checked only after reading the files`);
  }
  // the flag exists for each key of the table above that is a GBDT option
  for (const flag of GBDT_FLAGS) assert.ok(BAD_VALUES.some(([name]) => flag.flags.startsWith(`${name} `)), `no bad-value case for ${flag.flags}`);
});

test("the flags given reach the fitted trees, and report.json records every hyperparameter of each stage", async (t) => {
  const dir = await tempDir(t, "train-flags-fit");
  const files = await writeWorld(simulateWorld({ videos: 400, dim: 8, seed: 21 }), path.join(dir, "world"));
  const out = path.join(dir, "model");
  const run = await runCli(config, [
    "train",
    "--fused",
    files.fused,
    "--features",
    files.csv,
    "--out",
    out,
    "--no-progress",
    "--stages",
    "upload,6h",
    "--max-iter",
    "20",
    "--max-leaf-nodes",
    "none",
    "--max-depth",
    "6",
    "--max-bins",
    "100",
    "--early-stopping",
    "off",
    "--threads",
    "1",
    "--categorical",
    "native",
    "--seed",
    "5",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const bundle = parseBundle(await readFile(path.join(out, "model.json"), "utf8"), "model.json");
  const report: unknown = JSON.parse(await readFile(path.join(out, "report.json"), "utf8"));
  assert.ok(isRecord(report) && Array.isArray(report["stages"]));
  const categorical = bundle.spec.features.filter((feature) => feature.kind === "categorical").map((feature) => feature.name);
  assert.ok(categorical.includes("channel_id"), `the world has categorical columns: ${categorical.join(", ")}`);
  const { categoricalFeatures: _columns, ...defaults } = GBDT_DEFAULTS;
  let categorySplits = 0;
  for (const stage of ["upload", "6h"] as const) {
    const trees = bundle.stages[stage]?.trees;
    assert.ok(trees !== undefined, `stage ${stage} in the bundle`);
    assert.equal(trees.treeRoots.length, 20, `${stage}: --max-iter 20 without early stopping`);
    assert.ok(maxDepth(trees) <= 6, `${stage}: --max-depth 6`);
    categorySplits += trees.bitsets.length;
    const entry: unknown = report["stages"].find((s: unknown) => isRecord(s) && s["stage"] === stage);
    assert.ok(isRecord(entry), `report.json has stage ${stage}`);
    assert.deepEqual(entry["hyperparameters"], {
      ...defaults,
      maxIter: 20,
      maxLeafNodes: null,
      maxDepth: 6,
      maxBins: 100,
      earlyStopping: false,
      threads: 1,
      randomState: 5,
      categoricalColumns: featuresOfStage(bundle.spec, stage)
        .filter((feature) => feature.kind === "categorical")
        .map((feature) => feature.name),
    });
  }
  assert.ok(categorySplits > 0, "--categorical native makes category-set splits");
});

/** Edges from the root to the deepest leaf over all trees. */
function maxDepth(trees: TreeEnsemble): number {
  let deepest = 0;
  for (const root of trees.treeRoots) {
    const stack: Array<[number, number]> = [[root, 0]];
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const [node, depth] = item;
      if ((trees.feature[node] ?? -1) < 0) {
        deepest = Math.max(deepest, depth);
        continue;
      }
      stack.push([trees.left[node] ?? -1, depth + 1], [trees.right[node] ?? -1, depth + 1]);
    }
  }
  return deepest;
}
