// Proves a video is rescored as signals arrive: upload → UPLOAD score, +1h → H1, +6h → H6, each with
// the stage's inputs and a new prediction.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Predictor } from "../../src/model/predictor.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("rescore-on-late-engagement", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  await h.startScorer();
  const id = uniqueName("v");
  const upload = uploadOf(world, 3, id);

  await h.produce([{ topic: "uploads", key: id, value: upload }]);
  await h.waitFor("the upload-stage score", () => h.scoresOf(id).some((s) => s.stage === "UPLOAD"));

  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H1", 900, `${id}-1h`) }]);
  await h.waitFor("the 1h score", () => h.scoresOf(id).some((s) => s.stage === "H1"));

  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H6", 4_000, `${id}-6h`) }]);
  await h.waitFor("the 6h score", () => h.scoresOf(id).some((s) => s.stage === "H6"));

  const [first, second, third] = h.scoresOf(id);
  assert.ok(first && second && third);
  assert.deepEqual([first.stage, second.stage, third.stage], ["UPLOAD", "H1", "H6"]);
  assert.deepEqual(first.inputs_present, ["upload", "embedding"]);
  assert.deepEqual(third.inputs_present, ["upload", "embedding", "engagement_1h", "engagement_6h"]);
  assert.equal(third.model_version, bundle.version);
  assert.equal(third.input_event_time, upload.uploaded_at + 21_600_000);
  // the 6h score is exactly what the bundle predicts from these inputs
  const expected = new Predictor(bundle).predict({
    upload: { ...upload, extras: { ...upload.numeric_extras, ...upload.categorical_extras } },
    embedding: Float32Array.from(upload.embedding?.values ?? []),
    engagement: [
      { ...snapshotOf(upload, "H1", 900, "x"), window: "1h" },
      { ...snapshotOf(upload, "H6", 4_000, "y"), window: "6h" },
    ],
  });
  assert.ok(expected);
  assert.equal(third.predicted_target, expected.predictedTarget);
  assert.ok(third.interval_low <= third.predicted_views && third.predicted_views <= third.interval_high);
});
