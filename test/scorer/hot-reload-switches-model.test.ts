// Proves publishing a new bundle switches a running scorer within seconds, without a restart, and that
// every score names the model that made it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("hot-reload-switches-model", async (t) => {
  const first = await trainedWorld(2);
  const second = await trainedWorld(2, { learningRate: 0.05 });
  assert.notEqual(first.bundle.version, second.bundle.version);
  const h = await ScoringHarness.create(t, { scorer: { groupId: uniqueName("scorer"), modelPollMs: 60_000 } });
  await h.publishModel(first.bundle);
  const scorer = await h.startScorer();
  const id = uniqueName("v");
  const upload = uploadOf(first.world, 13, id);
  await h.produce([{ topic: "uploads", key: id, value: upload }]);
  await h.waitFor("a score by the first model", () => h.scoresOf(id).length > 0);
  assert.equal(h.scoresOf(id)[0]?.model_version, first.bundle.version);

  const published = Date.now();
  await h.publishModel(second.bundle);
  // the poll interval is a minute: only the notification can switch it this fast
  await h.waitFor("the scorer to switch", () => scorer.models.predictor?.version === second.bundle.version, 5_000);
  const switchMs = Date.now() - published;
  assert.ok(switchMs <= 5_000);

  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H1", 500, `${id}-1h`) }]);
  await h.waitFor("a score by the second model", () => h.scoresOf(id).some((s) => s.model_version === second.bundle.version));
});
