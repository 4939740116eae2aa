// Proves that hostile events — fields of the wrong type, megabyte ids, NaN and negative counts, far-future
// timestamps, NaN in an embedding — each end on the dead-letter topic with their code (whole, or cut to fit
// when too large to copy with the headers), and that good events produced after them on the same
// partitions are still scored: the consumer never stalls.
import assert from "node:assert/strict";
import { test } from "node:test";
import avro, { type Schema } from "avsc";
import type { ContractOf, SchemaKey, VideoUploaded } from "../../src/contracts/generated/events.js";
import type { ErrorCode } from "../../src/errors.js";
import { DLQ_HEADERS } from "../../src/ingest/dead-letter.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

/** Kafka's default message.max.bytes is 1 MiB + 12 for a whole record batch: the megabyte ids stay under it. */
const MEGABYTE = 1_000_000;
/** A value the broker still accepts (the batch and record framing take ~100 more bytes). */
const AT_THE_LIMIT = 1024 * 1024 - 200;
const FAR_FUTURE = Date.now() + 10 * 365 * 86_400_000;
/** One ms after the last valid Date (year 275760), still a safe integer that Avro's long carries. */
const BEYOND_DATES = 8.64e15 + 1;

/** An EngagementSnapshot as another team might write it: views and retention are strings. */
const ALIEN_SNAPSHOT: Schema = {
  type: "record",
  name: "EngagementSnapshot",
  namespace: "dev.virality.events",
  fields: [
    { name: "event_id", type: "string" },
    { name: "video_id", type: "string" },
    { name: "window", type: { type: "enum", name: "EngagementWindow", symbols: ["H1", "H6"] } },
    { name: "observed_at", type: "long" },
    { name: "views", type: "string" },
    { name: "likes", type: "long" },
    { name: "comments", type: "long" },
    { name: "shares", type: "long" },
    { name: "retention", type: "string" },
  ],
};

interface Hostile {
  readonly name: string;
  readonly topic: string;
  readonly value: Buffer;
  readonly code: ErrorCode;
  /** Too large to copy whole with the dead-letter headers: the value arrives cut, its length in a header. */
  readonly truncated?: true;
}

/** An upload whose encoded message is `bytes` long, all but ~100 of them its video_id. */
async function uploadOfSize(encode: (record: VideoUploaded) => Promise<Buffer>, base: VideoUploaded, bytes: number): Promise<Buffer> {
  const probe = await encode({ ...base, video_id: "v".repeat(MEGABYTE) });
  const value = await encode({ ...base, video_id: "v".repeat(MEGABYTE + bytes - probe.length) });
  assert.equal(value.length, bytes);
  return value;
}

test("hostile-events-go-to-dead-letter", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  await h.startScorer();
  const topics = h.config.topics;
  const encode = <K extends SchemaKey>(topic: string, contract: K, record: ContractOf<K>): Promise<Buffer> => h.serde.encode({ topic, contract }, record);

  const good = uploadOf(world, 21, uniqueName("good"));
  const base = uploadOf(world, 22, uniqueName("hostile"));
  const snapshot = snapshotOf(base, "H1", 500, uniqueName("e"));
  const embedding = { video_id: base.video_id, model: "fused", model_version: "1", produced_at: base.uploaded_at, values: Array.from(world.videos[22]?.embedding ?? []) };
  assert.equal(embedding.values.length, bundle.spec.embeddingDim);

  // a schema whose field types differ from ours, registered under another subject (as in registry-roundtrip)
  const alienId = await h.serde.register({ topic: topics.outcomes, contract: "engagement-snapshot" }, JSON.stringify(ALIEN_SNAPSHOT));
  const alienBody = avro.Type.forSchema(ALIEN_SNAPSHOT).toBuffer({ ...snapshot, views: "five hundred", retention: "half" });
  const alienHeader = Buffer.alloc(5);
  alienHeader.writeUInt32BE(alienId, 1);

  const hostile: Hostile[] = [
    { name: "wrong field types", topic: topics.engagement, value: Buffer.concat([alienHeader, alienBody]), code: "VIR_SERDE_SCHEMA_MISMATCH" },
    {
      name: "1 MB video_id",
      topic: topics.uploads,
      value: await encode(topics.uploads, "video-uploaded", { ...base, video_id: "v".repeat(MEGABYTE) }),
      code: "VIR_EVENT_INVALID",
    },
    {
      // the broker takes it, but not a copy of it with the dead-letter headers added
      name: "a message at the broker's limit",
      topic: topics.uploads,
      value: await uploadOfSize((record) => encode(topics.uploads, "video-uploaded", record), base, AT_THE_LIMIT),
      code: "VIR_EVENT_INVALID",
      truncated: true,
    },
    {
      name: "1 MB channel_id",
      topic: topics.uploads,
      value: await encode(topics.uploads, "video-uploaded", { ...base, channel_id: "c".repeat(MEGABYTE) }),
      code: "VIR_EVENT_INVALID",
    },
    { name: "retention NaN", topic: topics.engagement, value: await encode(topics.engagement, "engagement-snapshot", { ...snapshot, retention: Number.NaN }), code: "VIR_EVENT_INVALID" },
    { name: "watch time -5", topic: topics.engagement, value: await encode(topics.engagement, "engagement-snapshot", { ...snapshot, watch_time_seconds: -5 }), code: "VIR_EVENT_INVALID" },
    { name: "views -1", topic: topics.engagement, value: await encode(topics.engagement, "engagement-snapshot", { ...snapshot, views: -1 }), code: "VIR_EVENT_INVALID" },
    { name: "observed in 10 years", topic: topics.engagement, value: await encode(topics.engagement, "engagement-snapshot", { ...snapshot, observed_at: FAR_FUTURE }), code: "VIR_EVENT_INVALID" },
    {
      name: "uploaded after the last date JavaScript can represent",
      topic: topics.uploads,
      value: await encode(topics.uploads, "video-uploaded", { ...base, uploaded_at: BEYOND_DATES }),
      code: "VIR_EVENT_INVALID",
    },
    { name: "embedding produced in 10 years", topic: topics.embeddings, value: await encode(topics.embeddings, "video-embedding", { ...embedding, produced_at: FAR_FUTURE }), code: "VIR_EVENT_INVALID" },
    {
      name: "embedding with NaN",
      topic: topics.embeddings,
      value: await encode(topics.embeddings, "video-embedding", { ...embedding, values: embedding.values.map((v, i) => (i === 3 ? Number.NaN : v)) }),
      code: "VIR_EVENT_INVALID",
    },
    {
      name: "upload whose embedding has NaN",
      topic: topics.uploads,
      value: await encode(topics.uploads, "video-uploaded", {
        ...base,
        embedding: { model: "fused", model_version: "1", values: embedding.values.map((v, i) => (i === 0 ? Number.NaN : v)) },
      }),
      code: "VIR_EVENT_INVALID",
    },
  ];
  // one message key for everything: each topic's hostile events and the good events after them share a partition
  const key = uniqueName("k");
  for (const event of hostile) await h.produceRaw(event.topic, key, event.value);
  await h.produceRaw(topics.uploads, key, await encode(topics.uploads, "video-uploaded", good));
  await h.produceRaw(topics.embeddings, key, await encode(topics.embeddings, "video-embedding", { ...embedding, video_id: good.video_id }));
  await h.produceRaw(topics.engagement, key, await encode(topics.engagement, "engagement-snapshot", snapshotOf(good, "H1", 500, uniqueName("e"))));

  await h.waitFor(`${hostile.length} dead letters and the good video's 1-hour score`, () =>
    h.deadLetters.length >= hostile.length && h.scoresOf(good.video_id).some((s) => s.stage === "H1"),
  );
  await h.waitCaughtUp();
  assert.equal(h.deadLetters.length, hostile.length, "one dead letter per hostile event, nothing else");
  for (const event of hostile) {
    const letters = h.deadLetters.filter((d) =>
      event.truncated === true
        ? d.headers[DLQ_HEADERS.truncated] === String(event.value.length) &&
          d.value !== null &&
          d.value.length < event.value.length &&
          event.value.subarray(0, d.value.length).equals(d.value)
        : d.value?.equals(event.value) === true,
    );
    assert.equal(letters.length, 1, `${event.name}: its original bytes (or their start) on the dead-letter topic, once`);
    const headers = letters[0]?.headers ?? {};
    assert.equal(headers[DLQ_HEADERS.code], event.code, `${event.name}: ${headers[DLQ_HEADERS.message] ?? ""}`);
    assert.equal(headers[DLQ_HEADERS.topic], event.topic, event.name);
    assert.match(headers[DLQ_HEADERS.offset] ?? "", /^\d+$/, event.name);
    assert.ok((headers[DLQ_HEADERS.message] ?? "").length <= 2_000, `${event.name}: the message header is bounded`);
  }
  // nothing of the hostile video reached a score
  assert.deepEqual(h.scoresOf(base.video_id), []);
});
