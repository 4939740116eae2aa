// Proves the leakage guard: late snapshots are not used, a stage never sees a later stage's columns,
// and the target or later-horizon columns are never features.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assemble,
  assembleJoined,
  buildSpec,
  featureNames,
  highestStage,
  specFromJSON,
  STAGES,
  type EngagementSnapshot,
  type FeatureSpec,
  type VideoRecords,
} from "../../src/features/index.js";
import { BASE_TIME, HOUR, synthetic } from "./synthetic.js";

const MINUTE = 60_000;

function specOf(): { spec: FeatureSpec } & ReturnType<typeof synthetic> {
  const data = synthetic();
  return { ...data, spec: buildSpec(data.table, data.join, { minCategoryCount: 1 }).spec };
}

function video(spec: FeatureSpec, engagement: EngagementSnapshot[]): VideoRecords {
  return {
    upload: { video_id: "v", channel_id: "UC1", uploaded_at: BASE_TIME, duration_seconds: 30, language: "en" },
    embedding: new Float32Array(spec.embeddingDim).fill(0.5),
    engagement,
  };
}

function snapshot(window: "1h" | "6h", ageMs: number, views: number): EngagementSnapshot {
  return { window, observed_at: BASE_TIME + ageMs, views, likes: 1, comments: 1, shares: 1 };
}

function valueOf(spec: FeatureSpec, stage: "upload" | "1h" | "6h", records: VideoRecords, name: string): number | undefined {
  const index = featureNames(spec, stage).indexOf(name);
  return index < 0 ? undefined : assemble(spec, stage, records).values[index];
}

test("a 1h snapshot observed after the cutoff (1h + 15 min grace) is not used at stage 1h", () => {
  const { spec } = specOf();
  assert.deepEqual(spec.cutoffsMs, { "1h": HOUR + 15 * MINUTE, "6h": 6 * HOUR + 15 * MINUTE });

  const onTime = video(spec, [snapshot("1h", HOUR + 15 * MINUTE, 500)]);
  assert.equal(valueOf(spec, "1h", onTime, "views_1h"), 500);
  assert.equal(highestStage(spec, onTime), "1h");

  const late = video(spec, [snapshot("1h", HOUR + 15 * MINUTE + 1, 500)]);
  const assembled = assemble(spec, "1h", late);
  assert.ok(Number.isNaN(valueOf(spec, "1h", late, "views_1h") ?? 0));
  assert.equal(assembled.inputs.engagement_1h, false);
  assert.deepEqual(assembled.ignored, [{ window: "1h", observed_at: BASE_TIME + HOUR + 15 * MINUTE + 1, reason: "after-cutoff" }]);
  assert.equal(highestStage(spec, late), "upload");

  const early = video(spec, [snapshot("1h", -MINUTE, 500)]);
  assert.equal(assemble(spec, "1h", early).ignored[0]?.reason, "before-upload");
});

test("of several snapshots of a window the latest valid one is used, never a late one", () => {
  const { spec } = specOf();
  const records = video(spec, [
    snapshot("1h", 50 * MINUTE, 400),
    snapshot("1h", 3 * HOUR, 9999),
    snapshot("1h", 40 * MINUTE, 300),
  ]);
  assert.equal(valueOf(spec, "1h", records, "views_1h"), 400);
});

test("a late 1h snapshot in the table (observed_at_1h) is not used when training the 1h stage", () => {
  const { spec, table, join } = specOf();
  const matrix = assembleJoined(spec, "1h", table, join);
  const views = matrix.names.indexOf("views_1h");
  const ids = table.byName.get("video_id");
  assert.ok(ids?.type === "text");
  for (let i = 0; i < matrix.rows; i++) {
    const index: number = Number((ids.values[join.tableRows[i] ?? 0] ?? "").slice(3));
    const value = matrix.data[i * matrix.width + views] ?? 0;
    if (index % 7 === 3) assert.ok(Number.isNaN(value), `row ${index} has a late 1h snapshot`);
    else assert.equal(value, 100 + index);
  }
});

test("a 6h column never appears in the upload or 1h vector, whatever the records hold", () => {
  const { spec } = specOf();
  const sentinel = 987_654;
  const records = video(spec, [snapshot("1h", HOUR, 100), snapshot("6h", 6 * HOUR, sentinel)]);
  for (const stage of ["upload", "1h"] as const) {
    assert.deepEqual(
      featureNames(spec, stage).filter((name) => name.endsWith("_6h")),
      [],
      `${stage} names a 6h feature`,
    );
    assert.ok(!assemble(spec, stage, records).values.includes(sentinel), `${stage} vector holds a 6h value`);
  }
  assert.deepEqual(featureNames(spec, "upload").filter((name) => name.endsWith("_1h")), []);
  assert.ok(assemble(spec, "6h", records).values.includes(sentinel));
});

test("the target and later-horizon columns are never features of any stage", () => {
  const { spec, table, join } = specOf();
  for (const stage of STAGES) {
    const names = featureNames(spec, stage);
    for (const forbidden of ["views_7d", "views_24h", "observed_at_1h", "uploaded_at", "video_id"]) {
      assert.ok(!names.includes(forbidden), `${stage} uses ${forbidden}`);
    }
    const matrix = assembleJoined(spec, stage, table, join);
    const target = table.byName.get("views_7d");
    assert.ok(target?.type === "number");
    const targets = new Set(target.values);
    const leaked = [...matrix.data].filter((value) => value >= 9000 && targets.has(value));
    assert.deepEqual(leaked, [], `${stage} matrix holds target values`);
  }
  assert.deepEqual(
    spec.excluded.map((note) => note.column),
    ["video_id", "uploaded_at", "observed_at_1h", "views_24h", "views_7d"],
  );
});

test("a stored spec that lets a stage see a later snapshot is refused", () => {
  const { spec } = specOf();
  const json: unknown = JSON.parse(JSON.stringify(spec));
  assert.ok(typeof json === "object" && json !== null && "features" in json && Array.isArray(json.features));
  const views = json.features.find(
    (feature: unknown) => typeof feature === "object" && feature !== null && "name" in feature && feature.name === "views_6h",
  );
  assert.ok(typeof views === "object" && views !== null);
  Object.assign(views, { stage: "1h" });
  assert.throws(() => specFromJSON(json), /spec\.features\[\d+\]\.stage is earlier than its 6h snapshot \(a leak\)/);
});
