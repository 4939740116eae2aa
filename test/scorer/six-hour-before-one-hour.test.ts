// Proves out-of-order snapshots (6h before 1h) end in the same final score as in-order delivery.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("six-hour-before-one-hour", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  await h.startScorer();
  const inOrder = uniqueName("v");
  const reversed = uniqueName("v");
  const a = uploadOf(world, 7, inOrder);
  const b = uploadOf(world, 7, reversed);
  await h.produce([
    { topic: "uploads", key: inOrder, value: a },
    { topic: "engagement", key: inOrder, value: snapshotOf(a, "H1", 700, `${inOrder}-1h`) },
    { topic: "engagement", key: inOrder, value: snapshotOf(a, "H6", 2_100, `${inOrder}-6h`) },
  ]);
  await h.produce([{ topic: "uploads", key: reversed, value: b }]);
  await h.produce([{ topic: "engagement", key: reversed, value: snapshotOf(b, "H6", 2_100, `${reversed}-6h`) }]);
  await h.waitFor("a 6h score for the reversed video", () => h.scoresOf(reversed).some((s) => s.stage === "H6"));
  await h.produce([{ topic: "engagement", key: reversed, value: snapshotOf(b, "H1", 700, `${reversed}-1h`) }]);
  await h.waitFor("both videos scored with both snapshots", () =>
    [inOrder, reversed].every((id) => h.scoresOf(id).some((s) => s.inputs_present.includes("engagement_1h") && s.inputs_present.includes("engagement_6h"))),
  );
  const last = (id: string) => h.scoresOf(id).at(-1);
  assert.equal(last(reversed)?.stage, "H6");
  assert.equal(last(reversed)?.predicted_target, last(inOrder)?.predicted_target);
  assert.equal(last(reversed)?.input_event_time, last(inOrder)?.input_event_time);
});
