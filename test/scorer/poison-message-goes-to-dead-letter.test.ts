// Proves undecodable or invalid messages end on the dead-letter topic with Kafka Connect's headers,
// and that the consumer goes on to score what follows them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DLQ_HEADERS } from "../../src/ingest/dead-letter.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("poison-message-goes-to-dead-letter", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  await h.startScorer();
  const id = uniqueName("v");
  const upload = uploadOf(world, 11, id);
  const good = await h.serde.encode({ topic: h.config.topics.engagement, contract: "engagement-snapshot" }, snapshotOf(upload, "H1", 10, "x"));
  const wrongMagic = Buffer.from(good);
  wrongMagic[0] = 9;
  const unknownId = Buffer.from(good);
  unknownId.writeUInt32BE(0x7ffffff0, 1);
  const t1 = h.config.topics.engagement;
  await h.produceRaw(t1, "p1", wrongMagic);
  await h.produceRaw(t1, "p2", unknownId);
  await h.produceRaw(t1, "p3", good.subarray(0, good.length - 6));
  await h.produceRaw(h.config.topics.uploads, "p4", Buffer.from("not avro at all"));
  // decodes, but values out of range: a far-future timestamp and an embedding of the wrong size
  await h.produce([
    { topic: "engagement", key: "p5", value: { ...snapshotOf(upload, "H1", 10, "e5"), video_id: "p5", observed_at: Date.now() + 365 * 86_400_000 } },
    { topic: "uploads", key: "p6", value: { ...uploadOf(world, 12, "p6"), embedding: { model: "m", model_version: "1", values: [1, 2, 3] } } },
  ]);
  // a good video after the poison: it must still be scored
  await h.produce([{ topic: "uploads", key: id, value: upload }]);

  await h.waitFor("six dead letters and the good video's score", () => h.deadLetters.length >= 6 && h.scoresOf(id).length > 0);
  const codes = h.deadLetters.map((d) => d.headers[DLQ_HEADERS.code]).sort();
  assert.deepEqual(codes, [
    "VIR_EVENT_INVALID",
    "VIR_FEATURE_INVALID",
    "VIR_SERDE_MAGIC_BYTE",
    "VIR_SERDE_MAGIC_BYTE",
    "VIR_SERDE_TRUNCATED",
    "VIR_SERDE_UNKNOWN_SCHEMA",
  ]);
  const magic = h.deadLetters.find((d) => d.value?.equals(wrongMagic));
  assert.ok(magic, "the original bytes are kept");
  assert.equal(magic.headers[DLQ_HEADERS.topic], t1);
  assert.match(magic.headers[DLQ_HEADERS.offset] ?? "", /^\d+$/);
  assert.match(magic.headers[DLQ_HEADERS.partition] ?? "", /^\d+$/);
  assert.match(magic.headers[DLQ_HEADERS.message] ?? "", /magic byte/);
});
