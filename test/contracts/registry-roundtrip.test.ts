// Proves every event contract survives kafkajs + the real schema registry + Avro unchanged, that the
// registry enforces BACKWARD_TRANSITIVE, and that bad bytes on a topic give our typed errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import avro, { type Schema, type schema as avroSchema } from "avsc";
import { EventSerde, subjectFor } from "../../src/contracts/serde.js";
import { SCHEMAS, type SchemaKey } from "../../src/contracts/generated/events.js";
import { isViralityError } from "../../src/errors.js";
import { createKafka, createProducer, ensureTopics } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { SAMPLES } from "../support/samples.js";
import { testConfig, uniqueName } from "../support/services.js";

/** avsc decodes records as class instances; compare their data. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function isRecordSchema(schema: Schema): schema is avroSchema.RecordType {
  return typeof schema === "object" && !Array.isArray(schema) && "fields" in schema;
}

const CONTRACTS = Object.keys(SCHEMAS).filter((k): k is SchemaKey => k in SCHEMAS);

test("every schema round-trips through Kafka and the registry", async (t) => {
  const config = await testConfig(t);
  const serde = new EventSerde(config.registry.url);
  const kafka = createKafka(config, createLogger("silent"));
  const admin = kafka.admin();
  await admin.connect();
  const topicOf = (k: SchemaKey): string => `${config.topics.uploads}.${k}`;
  // these extra topics are named after the test's unique prefix; delete them with the rest
  t.after(async () => {
    await admin.deleteTopics({ topics: CONTRACTS.map(topicOf), timeout: 10_000 }).catch(() => undefined);
    for (const k of CONTRACTS) await fetch(`${config.registry.url}/subjects/${subjectFor(topicOf(k))}`, { method: "DELETE" });
    await admin.disconnect();
  });
  await ensureTopics(admin, CONTRACTS.map(topicOf), 1);

  const producer = createProducer(kafka);
  await producer.connect();
  for (const contract of CONTRACTS) {
    const value = await serde.encode({ topic: topicOf(contract), contract }, SAMPLES[contract]);
    await producer.send({ topic: topicOf(contract), messages: [{ key: "v-001", value }] });
  }
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: uniqueName("roundtrip") });
  await consumer.connect();
  await consumer.subscribe({ topics: CONTRACTS.map(topicOf), fromBeginning: true });
  const seen = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; got ${[...seen.keys()].join(", ")}`)), 60_000);
    void consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.value) seen.set(topic, message.value);
        if (seen.size === CONTRACTS.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();

  for (const contract of CONTRACTS) {
    const bytes = seen.get(topicOf(contract));
    assert.ok(bytes, `no message for ${contract}`);
    const decoded = await serde.decode(contract, bytes);
    assert.deepEqual(plain(decoded), SAMPLES[contract], contract);
    const compat = await (await fetch(`${config.registry.url}/config/${subjectFor(topicOf(contract))}`)).json();
    assert.deepEqual(compat, { compatibilityLevel: "BACKWARD_TRANSITIVE" }, `${contract} compatibility`);
  }
});

test("schema evolution: an optional field is accepted, removing a required one is refused", async (t) => {
  const config = await testConfig(t);
  const serde = new EventSerde(config.registry.url);
  const binding = { topic: config.topics.engagement, contract: "engagement-snapshot" as const };
  const firstId = await serde.register(binding);

  const schema: Schema = avro.Type.forSchema(JSON.parse(SCHEMAS["engagement-snapshot"].schema)).schema();
  assert.ok(isRecordSchema(schema));
  const withOptional: Schema = { ...schema, fields: [...schema.fields, { name: "saves", type: ["null", "long"], default: null }] };
  const secondId = await serde.register(binding, JSON.stringify(withOptional));
  assert.notEqual(secondId, firstId);

  // a record written with the newer schema is still read by our (older) reader schema
  const newer = avro.Type.forSchema(withOptional).toBuffer({ ...SAMPLES["engagement-snapshot"], saves: 12 });
  const header = Buffer.alloc(5);
  header.writeUInt32BE(secondId, 1);
  const decoded = await serde.decode("engagement-snapshot", Buffer.concat([header, newer]));
  assert.deepEqual(plain(decoded), SAMPLES["engagement-snapshot"]);

  const withNewRequired: Schema = { ...schema, fields: [...schema.fields, { name: "region", type: "string" }] };
  await assert.rejects(serde.register(binding, JSON.stringify(withNewRequired)), (error: unknown) => {
    assert.ok(isViralityError(error, "VIR_SCHEMA_INCOMPATIBLE"), String(error));
    assert.match(error.message, new RegExp(subjectFor(config.topics.engagement).replace(/\./g, "\\.")));
    assert.match(error.message, /BACKWARD_TRANSITIVE/);
    return true;
  });
});

test("bad bytes give typed errors: wrong magic byte, unknown schema id, truncated payload", async (t) => {
  const config = await testConfig(t);
  const serde = new EventSerde(config.registry.url);
  const good = await serde.encode({ topic: config.topics.uploads, contract: "video-uploaded" }, SAMPLES["video-uploaded"]);

  const wrongMagic = Buffer.from(good);
  wrongMagic[0] = 7;
  await assert.rejects(serde.decode("video-uploaded", wrongMagic), (e: unknown) => isViralityError(e, "VIR_SERDE_MAGIC_BYTE"));

  const unknownId = Buffer.from(good);
  unknownId.writeUInt32BE(0x7fff_fff0, 1);
  await assert.rejects(serde.decode("video-uploaded", unknownId), (e: unknown) => isViralityError(e, "VIR_SERDE_UNKNOWN_SCHEMA"));

  await assert.rejects(serde.decode("video-uploaded", good.subarray(0, 3)), (e: unknown) => isViralityError(e, "VIR_SERDE_TRUNCATED"));
  await assert.rejects(serde.decode("video-uploaded", good.subarray(0, good.length - 9)), (e: unknown) =>
    isViralityError(e, "VIR_SERDE_TRUNCATED"),
  );

  // a record of the wrong shape is refused before it reaches the topic
  const { video_id: _dropped, ...missingId } = SAMPLES["video-uploaded"];
  const notAnUpload: unknown = { ...missingId, video_id: 5 };
  assert.equal(new EventSerde(config.registry.url).readerType("video-uploaded").isValid(notAnUpload), false);

  // a message written with a schema that cannot be read as ours is a schema mismatch
  const alien: Schema = { type: "record", name: "VideoUploaded", namespace: "dev.virality.events", fields: [{ name: "video_id", type: "int" }] };
  const alienId = await serde.register({ topic: config.topics.outcomes, contract: "video-uploaded" }, JSON.stringify(alien));
  const body = avro.Type.forSchema(alien).toBuffer({ video_id: 5 });
  const header = Buffer.alloc(5);
  header.writeUInt32BE(alienId, 1);
  await assert.rejects(serde.decode("video-uploaded", Buffer.concat([header, body])), (e: unknown) =>
    isViralityError(e, "VIR_SERDE_SCHEMA_MISMATCH"),
  );
});

test("the no-wait paths answer only once the schema is known, with the same bytes and values", async (t) => {
  const config = await testConfig(t);
  const serde = new EventSerde(config.registry.url);
  const binding = { topic: config.topics.scores, contract: "video-score" } as const;
  const score = SAMPLES["video-score"];

  // nothing registered or fetched yet: the caller has to wait for the registry
  assert.equal(serde.encodeKnown(binding, score), undefined);
  const bytes = await serde.encode(binding, score);
  assert.deepEqual(serde.encodeKnown(binding, score), bytes);

  const reader = new EventSerde(config.registry.url);
  assert.equal(reader.decodeKnown("video-score", bytes), undefined);
  const decoded = await reader.decode("video-score", bytes);
  assert.deepEqual(plain(reader.decodeKnown("video-score", bytes)), plain(decoded));
  assert.deepEqual(plain(decoded), plain(score));

  // bad bytes throw the same typed errors without waiting
  assert.throws(() => reader.decodeKnown("video-score", bytes.subarray(0, 3)), (e: unknown) => isViralityError(e, "VIR_SERDE_TRUNCATED"));
  assert.throws(() => reader.decodeKnown("video-score", bytes.subarray(0, bytes.length - 4)), (e: unknown) => isViralityError(e, "VIR_SERDE_TRUNCATED"));
  // a record too large for the encoder's first scratch buffer still encodes whole
  const long = { ...score, inputs_present: Array.from({ length: 9_000 }, (_, i) => `input-${i}`) };
  const longBytes = serde.encodeKnown(binding, long);
  assert.ok(longBytes !== undefined && longBytes.length > 64 * 1024);
  assert.deepEqual(plain(await reader.decode("video-score", longBytes)), plain(long));
});
