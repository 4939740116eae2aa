// Proves how train() hands the spec's categorical columns to the trees (codes by default, category-set splits with categorical: "native"), that each stage reports the hyperparameters it was fitted with, and that bad GBDT options are refused before any file is read.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { featureNames } from "../../src/features/spec.js";
import { simulateWorld } from "../../src/sim/world.js";
import { writeWorld, type WorldFiles } from "../../src/sim/write.js";
import { train, type TrainOptions } from "../../trainer/train.js";

const dir = mkdtempSync(path.join(tmpdir(), "virality-train-categorical-"));
process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
const files: WorldFiles = await writeWorld(simulateWorld({ videos: 400, dim: 8, seed: 21 }), dir);
const deepTrees: TrainOptions["gbdt"] = { maxIter: 20, maxDepth: 6, maxLeafNodes: null };
const quick = { fused: files.fused, features: files.csv, gbdt: deepTrees, importanceRepeats: 1, stages: ["upload", "6h"] } as const;

test("by default the trees split categorical columns as codes: no stage has a category-set split", async () => {
  const result = await train(quick);
  for (const stage of result.stages) {
    assert.deepEqual(stage.hyperparameters.categoricalFeatures, [], stage.stage);
    assert.equal(stage.model.bitsets.length, 0, `${stage.stage} has category-set splits`);
  }
});

test('categorical: "native" gives the GBDT every categorical column of the stage, and it makes category-set splits', async () => {
  const result = await train({ ...quick, categorical: "native" });
  let bitsets = 0;
  for (const stage of result.stages) {
    const names = featureNames(result.spec, stage.stage);
    const categorical = result.spec.features.filter((feature) => feature.kind === "categorical" && names.includes(feature.name)).map((feature) => feature.name);
    assert.ok(categorical.length > 0, `${stage.stage} sees categorical columns`);
    assert.deepEqual(
      stage.hyperparameters.categoricalFeatures.map((column) => names[column]),
      categorical,
      `${stage.stage}: the GBDT's categorical columns are the spec's`,
    );
    bitsets += stage.model.bitsets.length;
  }
  assert.ok(bitsets > 0, "no category-set split in any stage");
});

async function refusal(options: TrainOptions): Promise<Error> {
  try {
    await train(options);
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  assert.fail("train() accepted the options");
}

test("bad GBDT options are refused before any file is read, naming the option", async () => {
  const missing = { fused: path.join(dir, "missing.pt"), features: path.join(dir, "missing.csv") };
  const tooManyBins = await refusal({ ...missing, gbdt: { maxBins: 300 } });
  assert.ok(isViralityError(tooManyBins) && tooManyBins.code === "VIR_CONFIG_INVALID", tooManyBins.message);
  assert.match(tooManyBins.message, /maxBins must be an integer in \[2, 255\], got 300/);
  // the trainer sets the categorical columns itself, from the spec
  const columns = { maxIter: 5, categoricalFeatures: [1] };
  const setByHand = await refusal({ ...missing, gbdt: columns });
  assert.ok(isViralityError(setByHand) && setByHand.code === "VIR_CONFIG_INVALID", setByHand.message);
  assert.match(setByHand.message, /categoricalFeatures is set by the trainer from the feature spec: use categorical: "native"/);
});

test("category-set splits with fewer bins than a column's codes are refused before fitting, naming the column and the fixes", async () => {
  const error = await refusal({ ...quick, categorical: "native", gbdt: { maxBins: 8 } });
  assert.ok(isViralityError(error) && error.code === "VIR_CONFIG_INVALID", error.message);
  assert.match(error.message, /categorical column \w+ has \d+ codes \(\d+ categories and "unknown"\), more than maxBins \(--max-bins 8\)/);
  assert.match(error.message, /raise --max-bins to \d+, keep fewer of its categories, or use --categorical codes/);
});
