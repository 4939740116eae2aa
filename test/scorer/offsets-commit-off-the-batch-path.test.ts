// Proves offsets are committed by the interval, not after every batch, and that a graceful stop still
// commits everything scored: with a long interval, scored batches stay uncommitted until stop().
import assert from "node:assert/strict";
import { test } from "node:test";
import { groupBehind, topicEnds } from "../../src/ingest/group-progress.js";
import { createKafka } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("offsets-commit-off-the-batch-path", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t, { scorer: { groupId: uniqueName("scorer"), modelPollMs: 500, commitIntervalMs: 60_000 } });
  await h.publishModel(bundle);
  const scorer = await h.startScorer();
  const admin = createKafka(h.config, createLogger("silent")).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const inputs = [h.config.topics.uploads, h.config.topics.embeddings, h.config.topics.engagement];

  // the first commit is due an interval after the scorer started: nothing scored is committed before
  const first = uniqueName("v");
  await h.produce([{ topic: "uploads", key: first, value: uploadOf(world, 1, first) }]);
  await h.waitFor("the first score", () => h.scoresOf(first).length > 0);

  const ids = Array.from({ length: 6 }, () => uniqueName("v"));
  for (const [i, id] of ids.entries()) {
    // one send per video: several batches, each of which kafkajs' autoCommit would have committed
    const upload = uploadOf(world, 2 + i, id);
    await h.produce([
      { topic: "uploads", key: id, value: upload },
      { topic: "engagement", key: id, value: snapshotOf(upload, "H1", 500 + i, `${id}-1h`) },
    ]);
  }
  await h.waitFor("every video's 1h score", () => ids.every((id) => h.scoresOf(id).some((s) => s.stage === "H1")));
  const ends = await topicEnds(admin, inputs);
  assert.equal(await groupBehind(admin, h.config.scorer.groupId, ends), BigInt(1 + ids.length * 2), "scored batches are not committed before the interval");

  await scorer.stop();
  assert.equal(await groupBehind(admin, h.config.scorer.groupId, ends), 0n, "a graceful stop commits everything scored");
});
