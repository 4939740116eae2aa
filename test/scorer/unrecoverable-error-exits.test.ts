// Proves a scorer whose consumer stops for good (an error no retry can fix) exits non-zero and says why,
// instead of lingering alive with nothing consuming. The error here: the scores subject in the registry
// holds another team's schema, incompatible with VideoScore, so no score can be published.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventSerde } from "../../src/contracts/serde.js";
import { startScorerProcess, type ScorerProcess } from "../support/scorer-process.js";
import { ScoringHarness, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

const FOREIGN_SCHEMA = JSON.stringify({
  type: "record",
  name: "VideoScore",
  namespace: "com.example.other",
  fields: [{ name: "video_id", type: "long" }],
});

test("unrecoverable-error-exits", { timeout: 60_000 }, async (t) => {
  const { world, bundle } = await trainedWorld();
  // registered before the harness's clean-up (hooks run in order): the scorer dies before its topics go
  let scorer: ScorerProcess | undefined;
  t.after(() => scorer?.kill());
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  await new EventSerde(h.config.registry.url).register({ topic: h.config.topics.scores, contract: "video-score" }, FOREIGN_SCHEMA);

  const started = await startScorerProcess(h.config);
  scorer = started;
  const id = uniqueName("v");
  await h.produce([{ topic: "uploads", key: id, value: uploadOf(world, 0, id) }]);
  const timer = setTimeout(() => void started.kill(), 30_000); // it lingered: the assertion below says so, with its log
  t.after(() => clearTimeout(timer));
  const { code, signal } = await started.exited;
  assert.deepEqual({ code, signal }, { code: 1, signal: null }, started.tail());
  const fatal = started.logs.find((l) => l.msg.startsWith("the consumer stopped for good"));
  assert.ok(fatal !== undefined, `no line says the consumer stopped:\n${started.tail()}`);
  assert.equal(fatal["level"], 60);
  assert.match(String(fatal["err"]), /VIR_SCHEMA_INCOMPATIBLE.*\.scores-value/);
});
