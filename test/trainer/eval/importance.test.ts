// Proves permutation importance: no-signal columns score ≈ 0, strong ones high, blocks ≥ their members, seeded, input restored; a tree model's re-prediction path gives the same numbers bit for bit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { buildSpec, featureNames } from "../../../src/features/index.js";
import { importanceGroups } from "../../../trainer/eval/importance-groups.js";
import { permutationImportance } from "../../../trainer/eval/importance.js";
import type { RowMatrix } from "../../../trainer/eval/matrix.js";
import { synthetic } from "../../features/synthetic.js";
import { CachedTreePredictions, predictTrees } from "../../../src/model/trees.js";
import { fitGbdt } from "../../../trainer/gbdt/index.js";
import { linearPredictor, linearProblem } from "./synthetic.js";

// col 0 strong, col 1 moderate, col 2 weak, col 3 no signal
const COEFFICIENTS = [3, 1, 0.3, 0];
const problem = linearProblem(3000, COEFFICIENTS, { seed: 5, noise: 0.5 });
const predict = linearPredictor(COEFFICIENTS);
const names = ["views_1h", "likes_1h", "duration_seconds", "noise"];
const groups = [
  { name: "engagement", columns: [0, 1] },
  { name: "metadata", columns: [2, 3] },
];

test("a column without signal has importance ≈ 0, a strong column a large one", () => {
  const result = permutationImportance(problem.x, problem.y, predict, { names, groups, seed: 1 });
  assert.equal(result.scoring, "r2");
  assert.equal(result.rows, 2000, "sampled down to maxRows");
  assert.equal(result.nRepeats, 5);
  assert.ok(result.baselineScore > 0.9);
  const [strong, moderate, weak, none] = result.columns;
  assert.equal(strong.name, "views_1h");
  assert.equal(strong.drops.length, 5);
  // permuting column c of a linear model costs about 2·β_c²·var / var(y) of R²
  assert.ok(strong.mean > 1, `strong ${strong.mean}`);
  assert.ok(moderate.mean > 0.1 && moderate.mean < strong.mean);
  assert.ok(weak.mean > 0 && weak.mean < moderate.mean);
  assert.ok(Math.abs(none.mean) < 1e-9 && none.std < 1e-9, `none ${none.mean}`);
  assert.ok(strong.std > 0 && strong.std < 0.1 * strong.mean);
});

test("a block permuted together weighs at least as much as any of its columns", () => {
  const result = permutationImportance(problem.x, problem.y, predict, { names, groups, seed: 2 });
  const byName = new Map(result.groups.map((g) => [g.name, g]));
  const engagement = byName.get("engagement");
  const metadata = byName.get("metadata");
  assert.ok(engagement !== undefined && metadata !== undefined);
  assert.deepEqual(engagement.columns, [0, 1]);
  assert.ok(engagement.mean >= result.columns[0].mean - 0.05);
  assert.ok(engagement.mean >= result.columns[1].mean - 0.05);
  assert.ok(metadata.mean >= result.columns[2].mean - 0.05);
});

test("the same seed gives the same importances, another seed other drops", () => {
  const a = permutationImportance(problem.x, problem.y, predict, { names, groups, seed: 3 });
  const b = permutationImportance(problem.x, problem.y, predict, { names, groups, seed: 3 });
  const c = permutationImportance(problem.x, problem.y, predict, { names, groups, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.columns[0].drops, c.columns[0].drops);
});

test("every column replays the same permutations, so a column's result does not depend on the others asked", () => {
  const all = permutationImportance(problem.x, problem.y, predict, { seed: 6, maxRows: 500 });
  const one = permutationImportance(problem.x, problem.y, predict, { seed: 6, maxRows: 500, columns: [1] });
  assert.deepEqual(one.columns[0], all.columns[1]);
  assert.equal(all.columns[1].name, "col_1");
});

test("the matrix is permuted in place only during the call and restored, also when predict throws", () => {
  const small = linearProblem(300, COEFFICIENTS, { seed: 9, noise: 0.5 });
  const before = Float32Array.from(small.x.data);
  const result = permutationImportance(small.x, small.y, predict, { maxRows: Number.POSITIVE_INFINITY, scoring: "neg_mae" });
  assert.equal(result.rows, 300);
  assert.ok(result.baselineScore < 0, "−MAE");
  assert.deepEqual(small.x.data, before);
  let calls = 0;
  const failing = (x: RowMatrix): Float64Array => {
    if (++calls === 3) throw new Error("model broke");
    return predict(x);
  };
  assert.throws(() => permutationImportance(small.x, small.y, failing, { maxRows: Number.POSITIVE_INFINITY }), /model broke/);
  assert.deepEqual(small.x.data, before);
});

test("bad options are refused with the key named", () => {
  assert.throws(
    () => permutationImportance(problem.x, problem.y, predict, { nRepeats: 0 }),
    (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID") && /nRepeats/.test(e.message),
  );
  assert.throws(
    () => permutationImportance(problem.x, problem.y, predict, { groups: [{ name: "x", columns: [9] }] }),
    (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID") && /"x"/.test(e.message),
  );
});

test("importance groups split a stage's vector into embedding, metadata and engagement", () => {
  const data = synthetic(60, 4);
  const { spec } = buildSpec(data.table, data.join, { minCategoryCount: 1 });
  const upload = importanceGroups(spec, "upload");
  assert.deepEqual(
    upload.map((g) => g.name),
    ["embedding", "metadata"],
  );
  assert.deepEqual(upload[0].columns, [0, 1, 2, 3]);
  const late = importanceGroups(spec, "6h");
  const names = featureNames(spec, "6h");
  const covered = late.flatMap((g) => [...g.columns]).sort((a, b) => a - b);
  assert.deepEqual(covered, names.map((_, i) => i));
  const engagement = late.find((g) => g.name === "engagement");
  assert.ok(engagement !== undefined);
  assert.ok(engagement.columns.some((c) => names[c] === "views_1h") && engagement.columns.some((c) => names[c] === "views_6h"));
});

test("re-predicting only the trees a permuted column reaches gives the same importances bit for bit", async () => {
  // a tree model on the linear problem plus a constant column no tree can split on, with a base
  // margin read from column 0 (as the Szabo–Huberman stages read their views column)
  const width = problem.x.width + 1;
  const data = new Float32Array(problem.x.rows * width);
  for (let r = 0; r < problem.x.rows; r++) {
    data.set(problem.x.data.subarray(r * problem.x.width, (r + 1) * problem.x.width), r * width);
    data[r * width + problem.x.width] = 1;
  }
  const x: RowMatrix = { data, rows: problem.x.rows, width };
  const gbdt = (m: RowMatrix) => ({ data: m.data, nRows: m.rows, nCols: m.width, layout: "row-major" as const });
  const margins = (m: RowMatrix): Float64Array => Float64Array.from({ length: m.rows }, (_, r) => 0.1 * m.data[r * m.width]);
  const model = (await fitGbdt(gbdt(x), problem.y, { maxIter: 40 }, { baseMargin: margins(x) })).model;
  const predictTree = (m: RowMatrix): Float64Array => predictTrees(model, gbdt(m), margins(m));
  const options = { groups: [...groups, { name: "all", columns: [0, 1, 2, 3, 4] }], seed: 3 };
  const plain = permutationImportance(x, problem.y, predictTree, options);
  let repredictions = 0;
  const fast = permutationImportance(x, problem.y, predictTree, {
    ...options,
    repredict: (m) => {
      const cached = new CachedTreePredictions(model, gbdt(m));
      assert.equal(cached.uses(4), false, "no tree splits on the constant column");
      return (columns) => {
        repredictions++;
        return cached.predict(columns, margins(m));
      };
    },
  });
  assert.equal(repredictions, (5 + 3) * 5, "every entry and repeat went through the re-prediction path");
  assert.deepEqual(fast, plain);
  const constant = fast.columns[4];
  assert.ok(constant !== undefined && constant.mean === 0 && constant.drops.every((d) => d === 0));
  assert.ok((fast.columns[0]?.mean ?? 0) > 1);
});
