// Proves the column convention and type inference: which columns become features, of which kind and stage.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { inferColumns, parseColumnOverrides, type ColumnPlan } from "../../src/features/index.js";
import { tableFromColumns } from "../../src/io/tables/index.js";
import { synthetic } from "./synthetic.js";

function byColumn(plans: readonly ColumnPlan[]): Map<string, ColumnPlan> {
  return new Map(plans.map((plan) => [plan.column, plan]));
}

function summary(plan: ColumnPlan | undefined): string {
  if (plan === undefined) return "absent";
  if (plan.role !== "feature") return plan.role;
  return `${plan.kind} ${plan.stage} ${plan.source.from}`;
}

test("the naming convention and inference classify every column, with missing counts", () => {
  const { table } = synthetic();
  const plans = byColumn(inferColumns(table));
  const expected: Record<string, string> = {
    video_id: "key",
    uploaded_at: "upload-time",
    channel_id: "categorical upload upload",
    duration_seconds: "numeric upload upload",
    language: "categorical upload upload",
    captions: "numeric upload upload",
    cluster_id: "categorical upload upload",
    topic_score: "numeric upload extra",
    genre: "categorical upload extra",
    views_1h: "numeric 1h engagement",
    retention_1h: "numeric 1h engagement",
    saves_1h: "numeric 1h engagement",
    observed_at_1h: "observed-at",
    views_6h: "numeric 6h engagement",
    views_24h: "later-horizon",
    views_7d: "target",
  };
  for (const [column, description] of Object.entries(expected)) {
    assert.equal(summary(plans.get(column)), description, column);
  }
  assert.equal(plans.get("duration_seconds")?.missing, 7);
  assert.equal(plans.get("language")?.missing, 20);
  assert.equal(plans.get("views_6h")?.missing, 12);
});

test("a numeric column named like an id or code is categorical; free text and empty columns are ignored", () => {
  const n = 30;
  const table = tableFromColumns({
    video_id: Array.from({ length: n }, (_, i) => `v${i}`),
    uploaded_at: Array.from({ length: n }, () => 1_700_000_000),
    creator_id: Array.from({ length: n }, (_, i) => i % 3),
    region_code: Array.from({ length: n }, (_, i) => 100 + (i % 2)),
    title: Array.from({ length: n }, (_, i) => `title number ${i}`),
    empty: Array.from({ length: n }, () => null),
    likes_3h: Array.from({ length: n }, (_, i) => i),
    shares_2d: Array.from({ length: n }, (_, i) => i),
  });
  const plans = byColumn(inferColumns(table));
  assert.equal(summary(plans.get("creator_id")), "categorical upload extra");
  assert.equal(summary(plans.get("region_code")), "categorical upload extra");
  assert.equal(summary(plans.get("title")), "ignored");
  assert.match(plans.get("title")?.reason ?? "", /free text or unique ids \(30 distinct of 30\)/);
  assert.equal(summary(plans.get("empty")), "ignored");
  assert.equal(summary(plans.get("likes_3h")), "ignored");
  assert.equal(summary(plans.get("shares_2d")), "later-horizon");
});

test("overrides change kinds, ignore columns and move stages", () => {
  const { table } = synthetic();
  const overrides = parseColumnOverrides({
    numeric: ["cluster_id"],
    categorical: ["topic_score"],
    ignore: ["genre"],
    stages: { topic_score: "1h", views_1h: "6h", likes_1h: "upload", views_24h: "upload" },
  });
  const plans = byColumn(inferColumns(table, { overrides }));
  assert.equal(summary(plans.get("cluster_id")), "numeric upload upload");
  assert.equal(summary(plans.get("topic_score")), "categorical 1h extra");
  assert.equal(summary(plans.get("genre")), "ignored");
  // a later stage keeps reading the 1h snapshot; an earlier one means "known at upload": an extra
  assert.equal(summary(plans.get("views_1h")), "numeric 6h engagement");
  assert.equal(summary(plans.get("likes_1h")), "numeric upload extra");
  assert.equal(summary(plans.get("views_24h")), "numeric upload extra");
});

test("a different target column is excluded and views_7d becomes a later-horizon column", () => {
  const { table } = synthetic();
  const plans = byColumn(inferColumns(table, { target: "views_24h" }));
  assert.equal(summary(plans.get("views_24h")), "target");
  assert.equal(summary(plans.get("views_7d")), "later-horizon");
});

test("bad overrides are refused naming the key or the value", () => {
  const { table } = synthetic();
  const configError = (pattern: RegExp) => (error: unknown) => {
    assert.ok(isViralityError(error, "VIR_CONFIG_INVALID"), String(error));
    assert.match(error.message, pattern);
    return true;
  };
  assert.throws(() => parseColumnOverrides({ numerics: [] }), configError(/columns\.numerics is not a known key/));
  assert.throws(() => parseColumnOverrides({ stages: { a: "2h" } }), configError(/columns\.stages\.a is "2h"/));
  assert.throws(() => parseColumnOverrides({ numeric: ["a"], categorical: ["a"] }), configError(/both numeric and categorical/));
  assert.throws(() => parseColumnOverrides({ ignore: [3] }), configError(/columns\.ignore\[0\] must be a non-empty column name/));
  assert.throws(
    () => inferColumns(table, { overrides: { numeric: ["nope"] } }),
    configError(/columns\.numeric names "nope", which is not a column of synthetic\.csv/),
  );
  assert.throws(() => inferColumns(table, { overrides: { stages: { views_7d: "6h" } } }), configError(/the target and never a feature/));
  assert.throws(
    () => inferColumns(table, { overrides: { numeric: ["genre"] } }),
    configError(/"genre" is declared numeric but row 1 holds "music"/),
  );
});
