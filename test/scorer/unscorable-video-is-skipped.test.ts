// Proves one video the current model cannot score does not stop the stream. After a model with another
// embedding dimension is published, a video stored with the old model's embedding cannot be assembled for
// it: the scorer skips that video with a warning naming it and the fix, and goes on scoring the others.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startScorerProcess, type ScorerProcess } from "../support/scorer-process.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("unscorable-video-is-skipped", { timeout: 90_000 }, async (t) => {
  const old = await trainedWorld(2, {}, 16);
  const next = await trainedWorld(3, {}, 8);
  // registered before the harness's clean-up (hooks run in order): the scorer dies before its topics go
  let scorer: ScorerProcess | undefined;
  t.after(() => scorer?.kill());
  const h = await ScoringHarness.create(t, { scorer: { groupId: uniqueName("unscorable"), modelPollMs: 500 } });
  await h.publishModel(old.bundle);
  const started = await startScorerProcess(h.config);
  scorer = started;

  const stale = uniqueName("v-stale");
  const staleUpload = uploadOf(old.world, 0, stale);
  await h.produce([{ topic: "uploads", key: stale, value: staleUpload }]);
  await started.whileRunning(h.waitFor("the stale video's upload score", () => h.scoresOf(stale).length === 1));

  await h.publishModel(next.bundle);
  await started.whileRunning(h.waitFor("the switch", () => started.logs.some((l) => l.msg === "model switched" && l["model_version"] === next.bundle.version)));
  // the stale video's 1h snapshot asks for a rescore its 16-d embedding cannot give the 8-d model;
  // a new video in the same partition's stream, with an 8-d embedding, must still be scored
  const fresh = uniqueName("v-fresh");
  await h.produce([
    { topic: "engagement", key: stale, value: snapshotOf(staleUpload, "H1", 1_000, `${stale}-1h`) },
    { topic: "uploads", key: fresh, value: uploadOf(next.world, 0, fresh) },
  ]);
  await started.whileRunning(h.waitFor("the fresh video's score", () => h.scoresOf(fresh).length === 1));
  assert.equal(h.scoresOf(fresh)[0]?.model_version, next.bundle.version);
  assert.equal(h.scoresOf(stale).length, 1, "the stale video is not scored with a model it does not fit");
  const skipped = await started.whileRunning(started.waitForLog("skipped videos the current model cannot score; they are scored again when their inputs change"));
  assert.equal(skipped["level"], 40);
  assert.match(JSON.stringify(skipped), new RegExp(`${stale}.*16 dimensions, the model expects 8`));
  assert.ok(started.running, "the scorer is still running");
});
