// Proves assembly details: stage selection, category codes, missing values, the ridge variant and bad input.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import {
  assemble,
  buildSpec,
  featureNames,
  highestStage,
  ridgeNames,
  ridgeVector,
  type FeatureSpec,
  type VideoRecords,
} from "../../src/features/index.js";
import { BASE_TIME, HOUR, synthetic } from "./synthetic.js";

function spec(): FeatureSpec {
  const { table, join } = synthetic();
  return buildSpec(table, join, { minCategoryCount: 1, maxCategories: 3 }).spec;
}

function records(s: FeatureSpec, extra: Partial<VideoRecords> = {}): VideoRecords {
  return {
    upload: {
      video_id: "v",
      channel_id: "UC9-never-seen",
      uploaded_at: Date.UTC(2024, 4, 5, 13, 30), // a Sunday, 13:30 UTC
      duration_seconds: 42,
      language: null,
      cluster_id: 2,
      extras: { topic_score: "2.5", genre: "news" },
    },
    embedding: new Float32Array(s.embeddingDim).fill(1),
    engagement: [],
    ...extra,
  };
}

function at(s: FeatureSpec, values: Float64Array, stage: "upload" | "1h" | "6h", name: string): number {
  const index = featureNames(s, stage).indexOf(name);
  assert.ok(index >= 0, name);
  return values[index] ?? Number.NaN;
}

test("highestStage needs upload + embedding, then a valid snapshot; 6h works without 1h", () => {
  const s = spec();
  const uploadedAt = Date.UTC(2024, 4, 5, 13, 30);
  const sixHours = { window: "6h" as const, observed_at: uploadedAt + 6 * HOUR, views: 1000, likes: 5, comments: 1, shares: 0 };
  assert.equal(highestStage(s, { engagement: [] }), null);
  assert.equal(highestStage(s, records(s, { embedding: null })), null);
  assert.equal(highestStage(s, records(s)), "upload");
  const withSix = records(s, { engagement: [sixHours] });
  assert.equal(highestStage(s, withSix), "6h");
  const values = assemble(s, "6h", withSix).values;
  assert.ok(Number.isNaN(at(s, values, "6h", "views_1h")));
  assert.equal(at(s, values, "6h", "views_6h"), 1000);
});

test("categories: top-K codes, unknown for unseen, NaN for missing; time parts in UTC", () => {
  const s = spec();
  const channel = s.features.find((feature) => feature.name === "channel_id");
  assert.ok(channel?.kind === "categorical");
  assert.equal(channel.categories.length, 3);
  const values = assemble(s, "upload", records(s)).values;
  assert.equal(at(s, values, "upload", "channel_id"), 3, "unseen channel → unknown code = categories.length");
  assert.ok(Number.isNaN(at(s, values, "upload", "language")));
  const cluster = s.features.find((feature) => feature.name === "cluster_id");
  assert.ok(cluster?.kind === "categorical");
  assert.deepEqual(cluster.categories, ["0", "1", "2"]);
  assert.equal(at(s, values, "upload", "cluster_id"), 2, 'the number 2 is the table\'s "002"');
  assert.equal(at(s, values, "upload", "upload_hour"), 13);
  assert.equal(at(s, values, "upload", "upload_dow"), 0);
  assert.equal(at(s, values, "upload", "topic_score"), 2.5);
  assert.deepEqual([...values.subarray(0, s.embeddingDim)], [1, 1, 1, 1]);
});

test("the ridge variant imputes medians, log-scales counts, standardizes and one-hot encodes", () => {
  const s = spec();
  const raw = assemble(s, "1h", records(s)).values;
  const ridge = ridgeVector(s, "1h", raw);
  const names = ridgeNames(s, "1h");
  assert.equal(ridge.length, names.length);
  assert.ok(ridge.every((value) => Number.isFinite(value)));
  const views = s.features.find((feature) => feature.name === "views_1h");
  assert.ok(views?.kind === "numeric" && views.scale !== null && views.transform === "signed-log1p");
  const expected = (Math.log1p(views.impute) - views.scale.mean) / views.scale.std;
  assert.equal(ridge[names.indexOf("views_1h")], expected);
  assert.equal(ridge[names.indexOf("channel_id=<unknown>")], 1);
  assert.equal(ridge[names.indexOf("channel_id=UC0")], 0);
  const language = names.filter((name) => name.startsWith("language="));
  assert.deepEqual(language.map((name) => ridge[names.indexOf(name)]), language.map(() => 0), "missing → no category");
  const scale = s.embeddingScale;
  assert.ok(scale !== null);
  assert.equal(ridge[0], (1 - (scale.mean[0] ?? 0)) / (scale.std[0] ?? 1));
});

test("a wrong embedding length or a non-number for a numeric feature is VIR_FEATURE_INVALID", () => {
  const s = spec();
  assert.throws(
    () => assemble(s, "upload", records(s, { embedding: new Float32Array(3) })),
    (error) => isViralityError(error, "VIR_FEATURE_INVALID") && /video v: the embedding has 3 dimensions, the model expects 4/.test(error.message),
  );
  const bad = records(s);
  const upload = bad.upload;
  assert.ok(upload);
  assert.throws(
    () => assemble(s, "upload", { ...bad, upload: { ...upload, extras: { topic_score: "high" } } }),
    (error) => isViralityError(error, "VIR_FEATURE_INVALID") && /feature "topic_score" is "high", which is not a number/.test(error.message),
  );
});

test("the grace period is configurable and recorded in the spec", () => {
  const { table, join } = synthetic();
  const strict = buildSpec(table, join, { graceMs: 0 }).spec;
  assert.deepEqual(strict.cutoffsMs, { "1h": HOUR, "6h": 6 * HOUR });
  const late = {
    window: "1h" as const,
    observed_at: BASE_TIME + HOUR + 1,
    views: 5,
    likes: 0,
    comments: 0,
    shares: 0,
  };
  const base = records(strict);
  assert.ok(base.upload);
  const video: VideoRecords = { ...base, upload: { ...base.upload, uploaded_at: BASE_TIME }, engagement: [late] };
  assert.equal(highestStage(strict, video), "upload");
  assert.throws(() => buildSpec(table, join, { graceMs: -1 }), /graceMs is -1/);
});

test("statistics come from the training rows only", () => {
  const { table, join } = synthetic(60);
  const firstHalf = Int32Array.from({ length: 30 }, (_, i) => i);
  const all = buildSpec(table, join).spec;
  const train = buildSpec(table, join, { trainRows: firstHalf }).spec;
  const imputeOf = (s: FeatureSpec): number => {
    const feature = s.features.find((f) => f.name === "views_6h");
    assert.ok(feature?.kind === "numeric");
    return feature.impute;
  };
  assert.notEqual(imputeOf(train), imputeOf(all));
  assert.throws(() => buildSpec(table, join, { trainRows: [0, 99] }), /trainRows\[1\] is 99, outside the 60 joined rows/);
});
