// Proves a batch whose outputs exceed one Kafka request (here: four 400 kB poison messages dead-lettered
// under one key) is published in pieces instead of being refused by the broker and stalling the consumer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createKafka } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { ScoringHarness, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("large-output-batch-is-split", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  const producer = createKafka(h.config, createLogger("silent")).producer();
  await producer.connect();
  const big = Buffer.alloc(400 * 1024, 7); // not the magic byte: each one is a dead letter
  for (let i = 0; i < 4; i++) await producer.send({ topic: h.config.topics.engagement, messages: [{ key: "same-key", value: big, partition: 0 }] });
  await producer.disconnect();
  await h.startScorer();
  const id = uniqueName("v");
  await h.produce([{ topic: "uploads", key: id, value: uploadOf(world, 15, id) }]);
  await h.waitFor("four dead letters and the next video's score", () => h.deadLetters.length >= 4 && h.scoresOf(id).length > 0);
  assert.equal(h.deadLetters.length, 4);
  assert.ok(h.deadLetters.every((d) => d.value?.length === big.length));
});
