// Proves engagement that arrives before its upload is kept and used once the upload arrives.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("engagement-before-upload", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  await h.startScorer();
  const id = uniqueName("v");
  const upload = uploadOf(world, 5, id);

  // engagement first; wait until the scorer has consumed it
  await h.produce([{ topic: "engagement", key: id, value: snapshotOf(upload, "H1", 1_500, `${id}-1h`) }]);
  await h.waitCaughtUp();
  assert.equal(h.scoresOf(id).length, 0, "no score before the upload");

  await h.produce([{ topic: "uploads", key: id, value: upload }]);
  await h.waitFor("the video's score", () => h.scoresOf(id).length > 0);
  const scores = h.scoresOf(id);
  assert.equal(scores.length, 1);
  assert.equal(scores[0]?.stage, "H1", "scored straight at the 1h stage with the stored snapshot");
});
