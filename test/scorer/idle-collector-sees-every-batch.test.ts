// The CLI's idle collector may only collect while no batch is in flight, so the scorer must tell it
// when each batch begins and ends, failed batches included. This pins the pairing with real batches:
// every begin has its end, and none is open while the scorer sits idle.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("idle-collector-sees-every-batch", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  let begun = 0;
  let ended = 0;
  let open = 0;
  let mostOpen = 0;
  await h.startScorer({
    activity: {
      begin: () => {
        begun++;
        open++;
        mostOpen = Math.max(mostOpen, open);
      },
      end: () => {
        ended++;
        open--;
      },
    },
  });
  const ids = Array.from({ length: 30 }, () => uniqueName("v"));
  for (const [i, id] of ids.entries()) {
    const upload = uploadOf(world, i, id);
    await h.produce([
      { topic: "uploads", key: id, value: upload },
      { topic: "engagement", key: id, value: snapshotOf(upload, "H1", 100 + i, `${id}-1h`) },
    ]);
  }
  await h.waitFor("every video's 1h score", () => ids.every((id) => h.scoresOf(id).some((s) => s.stage === "H1")));
  await h.waitCaughtUp();
  assert.ok(begun >= 2, `${begun} batches begun`);
  assert.equal(ended, begun, "a batch began and never ended");
  assert.equal(open, 0);
  assert.ok(mostOpen <= 3, `${mostOpen} batches in flight at once (3 partitions)`);
});
