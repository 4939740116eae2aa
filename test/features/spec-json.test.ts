// Proves that a feature spec survives JSON and that a damaged one is refused naming the field.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { assembleJoined, buildSpec, specFromJSON, STAGES } from "../../src/features/index.js";
import { synthetic } from "./synthetic.js";

function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

test("a spec read back from JSON equals the original, is frozen, and assembles the same matrices", () => {
  const { table, join } = synthetic();
  const { spec } = buildSpec(table, join, { minCategoryCount: 1 });
  const restored = specFromJSON(roundTrip(spec));
  assert.deepEqual(restored, spec);
  assert.ok(Object.isFrozen(restored) && Object.isFrozen(restored.features[0]));
  for (const stage of STAGES) {
    for (const variant of ["raw", "ridge"] as const) {
      const before = assembleJoined(spec, stage, table, join, { variant });
      const after = assembleJoined(restored, stage, table, join, { variant });
      assert.deepEqual(after.names, before.names);
      assert.deepEqual(after.data, before.data);
    }
  }
});

function damaged(edit: (json: Record<string, unknown>) => void): unknown {
  const { table, join } = synthetic(20);
  const json = roundTrip(buildSpec(table, join, { minCategoryCount: 1 }).spec);
  assert.ok(typeof json === "object" && json !== null && !Array.isArray(json));
  const record: Record<string, unknown> = Object.fromEntries(Object.entries(json));
  edit(record);
  return record;
}

function featureAt(json: Record<string, unknown>, index: number): Record<string, unknown> {
  const features = json.features;
  assert.ok(Array.isArray(features));
  const feature: unknown = features[index];
  assert.ok(typeof feature === "object" && feature !== null);
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(feature));
  features[index] = copy;
  return copy;
}

test("a damaged spec is refused with VIR_MODEL_INVALID naming the field", () => {
  const cases: Array<[string, (json: Record<string, unknown>) => void, RegExp]> = [
    ["not an object", () => undefined, /^$/],
    ["type", (json) => (json.type = "other"), /spec\.type must be "virality\.feature-spec"/],
    ["version", (json) => (json.version = 99), /spec\.version is 99; this build reads 1/],
    ["dimension", (json) => (json.embeddingDim = -1), /spec\.embeddingDim must be an integer/],
    ["cutoff", (json) => (json.cutoffsMs = { "1h": 1, "6h": "x" }), /spec\.cutoffsMs\.6h must be a finite number/],
    ["kind", (json) => (featureAt(json, 0).kind = "ordinal"), /spec\.features\[0\]\.kind must be "numeric" or "categorical"/],
    ["category", (json) => (featureAt(json, 2).categories = ["a", 5]), /spec\.features\[2\]\.categories\[1\] must be a non-empty string/],
    ["impute", (json) => (featureAt(json, 0).impute = null), /spec\.features\[0\]\.impute must be a finite number/],
    ["source", (json) => (featureAt(json, 0).source = { from: "kafka" }), /spec\.features\[0\]\.source\.from must be/],
    ["scale", (json) => (json.embeddingScale = { mean: [0], std: [1] }), /spec\.embeddingScale must hold 4 means/],
    ["duplicate", (json) => (featureAt(json, 1).name = "upload_hour"), /spec\.features\[1\]\.name repeats the name "upload_hour"/],
  ];
  for (const [label, edit, pattern] of cases) {
    if (label === "not an object") {
      assert.throws(() => specFromJSON([1]), (error) => isViralityError(error, "VIR_MODEL_INVALID") && /spec must be an object/.test(error.message));
      continue;
    }
    assert.throws(
      () => specFromJSON(damaged(edit)),
      (error) => {
        assert.ok(isViralityError(error, "VIR_MODEL_INVALID"), label);
        assert.match(error.message, pattern, label);
        assert.equal(typeof error.details.field, "string");
        return true;
      },
    );
  }
});
