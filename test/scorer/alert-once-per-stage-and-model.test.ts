// Pins the alert contract: an UpsideAlert at most once per video, stage and model version, however many
// times the video is scored. The rule here fires on every score (predicted views above 1e-9).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("alert-once-per-stage-and-model", async (t) => {
  const first = await trainedWorld(2);
  const second = await trainedWorld(2, { learningRate: 0.05 });
  const h = await ScoringHarness.create(t, { scorer: { groupId: uniqueName("scorer"), modelPollMs: 500 }, alerts: { viewsAbove: 1e-9, channelMultiple: 1e12 } });
  await h.publishModel(first.bundle);
  const scorer = await h.startScorer();
  const id = uniqueName("v");
  const upload = uploadOf(first.world, 7, id);
  const scored = async (n: number): Promise<void> => h.waitFor(`${n} scores`, () => h.scoresOf(id).length >= n);

  await h.produce([{ topic: "uploads", key: id, value: upload }]);
  await scored(1);
  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H1", 100, `${id}-1h-a`) }]);
  await scored(2);
  // newer 1h snapshots: scored again at the same stage by the same model, no second alert
  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H1", 200, `${id}-1h-b`, 1_000) }]);
  await scored(3);
  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H1", 300, `${id}-1h-c`, 2_000) }]);
  await scored(4);
  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H6", 900, `${id}-6h-a`) }]);
  await scored(5);

  await h.publishModel(second.bundle);
  await h.waitFor("the scorer to switch", () => scorer.models.predictor?.version === second.bundle.version, 10_000);
  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H6", 950, `${id}-6h-b`, 1_000) }]);
  await h.waitFor("a score by the second model", () => h.scoresOf(id).some((s) => s.model_version === second.bundle.version));
  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H6", 990, `${id}-6h-c`, 2_000) }]);
  await scored(7);
  await h.waitCaughtUp();
  await new Promise((resolve) => setTimeout(resolve, 500)); // any late alert would have arrived by now

  const stages = h.scoresOf(id).map((s) => `${s.stage}/${s.model_version === first.bundle.version ? "first" : "second"}`);
  assert.deepEqual(stages, ["UPLOAD/first", "H1/first", "H1/first", "H1/first", "H6/first", "H6/second", "H6/second"]);
  const alerts = h.alerts.filter((a) => a.video_id === id).map((a) => `${a.stage}/${a.model_version === first.bundle.version ? "first" : "second"}`);
  assert.deepEqual(alerts, ["UPLOAD/first", "H1/first", "H6/first", "H6/second"]);
});
