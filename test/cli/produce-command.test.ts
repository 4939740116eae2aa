// Proves `virality produce` (the real CLI, a real process) puts every event of an events file on its configured topic, keyed and in file order per video, and that a bad file stops it, naming file:line, before anything is sent.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Config } from "../../src/config.js";
import type { SchemaKey } from "../../src/contracts/generated/events.js";
import { EventSerde } from "../../src/contracts/serde.js";
import type { InputTopic } from "../../src/ingest/event-producer.js";
import { checkEventsFile, INPUT_TOPICS } from "../../src/ingest/events-file.js";
import { topicEnds } from "../../src/ingest/group-progress.js";
import { createKafka } from "../../src/ingest/kafka.js";
import { isRecord } from "../../src/json-guards.js";
import { createLogger } from "../../src/logger.js";
import { eventsInOrder } from "../../src/sim/delivery.js";
import { simulateWorld } from "../../src/sim/world.js";
import { writeWorld } from "../../src/sim/write.js";
import { runCli, type CliRun } from "../support/cli.js";
import { testConfig, uniqueName } from "../support/services.js";
import { tempDir } from "../sim/helpers.js";

const CONTRACT: Record<InputTopic, SchemaKey> = {
  uploads: "video-uploaded",
  embeddings: "video-embedding",
  engagement: "engagement-snapshot",
  outcomes: "video-outcome",
};

// a small world with every kind of disorder, so all four topics, duplicates and 6h-before-1h appear
const world = simulateWorld({
  videos: 60,
  dim: 8,
  seed: 11,
  disorder: { embeddingInUpload: 0.5, embeddingBeforeUpload: 0.4, lateSnapshot: 0.1, duplicateSnapshot: 0.2, sixHourBeforeOneHour: 0.2, engagementBeforeUpload: 0.1 },
});

/** `text` as a regular expression source that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `virality produce FILE`. */
function produceCli(config: Config, file: string): Promise<CliRun> {
  return runCli(config, ["produce", file]);
}

/** Every message of the input topics, decoded, as `topic/key` → values in offset order. */
async function readInputs(config: Config, total: number): Promise<Map<string, unknown[]>> {
  const kafka = createKafka(config, createLogger("silent"));
  const serde = new EventSerde(config.registry.url);
  const topicKind = new Map(INPUT_TOPICS.map((t) => [config.topics[t], t] as const));
  const byKey = new Map<string, unknown[]>();
  const groupId = uniqueName("produce-read");
  const consumer = kafka.consumer({ groupId });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: INPUT_TOPICS.map((t) => config.topics[t]), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${seen} of ${total} messages in 60 s`)), 60_000);
      void consumer
        .run({
          eachBatch: async ({ batch }) => {
            const kind = topicKind.get(batch.topic);
            if (kind === undefined) throw new Error(`unexpected topic ${batch.topic}`);
            for (const m of batch.messages) {
              if (m.value === null || m.key === null) throw new Error(`${batch.topic} offset ${m.offset} lacks a key or a value`);
              const key = m.key.toString("utf8");
              const value: { readonly video_id: string } = await serde.decode(CONTRACT[kind], m.value);
              assert.equal(key, value.video_id, "messages are keyed by video_id");
              const id = `${kind}/${value.video_id}`;
              // as plain JSON, like the file (avsc decodes into record classes)
              byKey.set(id, [...(byKey.get(id) ?? []), JSON.parse(JSON.stringify(value))]);
              seen++;
            }
            if (seen >= total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return byKey;
}

test("virality produce puts every event of the file on its configured topic, in file order per video", async (t) => {
  const config = await testConfig(t);
  const files = await writeWorld(world, await tempDir(t, "produce"));
  // the file's lines, read plainly: topic/key → values in file order
  const lines = (await readFile(files.events, "utf8")).split("\n").filter((line) => line !== "");
  assert.equal(lines.length, eventsInOrder(world).length);
  const expected = new Map<string, unknown[]>();
  const counts: Record<InputTopic, number> = { uploads: 0, embeddings: 0, engagement: 0, outcomes: 0 };
  for (const line of lines) {
    const parsed: unknown = JSON.parse(line);
    if (!isRecord(parsed)) throw new Error(`not an object: ${line}`);
    const { topic, key, value } = parsed;
    if (!INPUT_TOPICS.some((x) => x === topic) || typeof key !== "string") throw new Error(`not a delivery: ${line}`);
    const id = `${String(topic)}/${key}`;
    expected.set(id, [...(expected.get(id) ?? []), value]);
    for (const x of INPUT_TOPICS) if (x === topic) counts[x]++;
  }
  for (const topic of INPUT_TOPICS) assert.ok(counts[topic] > 0, `the world has ${topic} events`);

  const run = await produceCli(config, files.events);
  assert.equal(run.code, 0, `exit code 0\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  assert.match(run.stdout, new RegExp(`produced ${lines.length} events from ${literal(files.events)}`));
  for (const topic of INPUT_TOPICS) {
    assert.match(run.stdout, new RegExp(`${topic}\\s+${literal(config.topics[topic])}\\s+${counts[topic]}\\n?`), `the printed count of ${topic}`);
  }

  const admin = createKafka(config, createLogger("silent")).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: INPUT_TOPICS.map((x) => config.topics[x]) });
    for (const topic of topics) assert.equal(topic.partitions.length, config.topics.partitions, `${topic.name} created with the configured partitions`);
    const ends = await topicEnds(admin, INPUT_TOPICS.map((x) => config.topics[x]));
    for (const topic of INPUT_TOPICS) {
      let messages = 0n;
      for (const [key, end] of ends) if (key.startsWith(`${config.topics[topic]}/`)) messages += end;
      assert.equal(messages, BigInt(counts[topic]), `messages on ${config.topics[topic]}`);
    }
  } finally {
    await admin.disconnect();
  }

  // decoded back, each video's events on each topic are the file's, in the file's order
  const actual = await readInputs(config, lines.length);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [id, values] of expected) assert.deepEqual(actual.get(id), values, id);
});

test("a malformed line stops virality produce, naming file:line and the fix, before anything is sent", async (t) => {
  const config = await testConfig(t);
  const dir = await tempDir(t, "produce-bad");
  const files = await writeWorld(world, dir);
  const lines = (await readFile(files.events, "utf8")).split("\n");
  const broken = path.join(dir, "broken.jsonl");
  // line 7 cut short, as a copy interrupted mid-line would leave it
  await writeFile(broken, [...lines.slice(0, 6), (lines[6] ?? "").slice(0, 40), ...lines.slice(7)].join("\n"));

  const run = await produceCli(config, broken);
  assert.equal(run.code, 1, `exit code 1\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  assert.match(run.stderr, new RegExp(`VIR_EVENTS_FILE_INVALID: ${literal(broken)}:7: not valid JSON`));
  assert.match(run.stderr, /fix or delete line 7/);
  assert.equal(run.stdout, "");

  const admin = createKafka(config, createLogger("silent")).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of INPUT_TOPICS) assert.ok(!existing.has(config.topics[topic]), `${config.topics[topic]} was not even created`);
  } finally {
    await admin.disconnect();
  }
});

test("checkEventsFile names file:line and what is wrong for each kind of bad line, and the fix for a missing file", async (t) => {
  const dir = await tempDir(t, "produce-lines");
  const files = await writeWorld(world, dir);
  const good = (await readFile(files.events, "utf8")).split("\n").filter((l) => l !== "");
  const first = good[0] ?? "";
  const checked = await checkEventsFile(files.events);
  assert.equal(checked.events, good.length);

  const cases: Array<[string, string, RegExp]> = [
    ["unknown topic", first.replace(/"topic":"\w+"/, '"topic":"video.uploads"'), /:3: "topic" must be one of uploads, embeddings, engagement, outcomes, got "video\.uploads"/],
    ["key that is not the video_id", first.replace(/"key":"[^"]+"/, '"key":"someone-else"'), /:3: "key" "someone-else" is not the event's video_id/],
    ["value off its contract", first.replace(/"video_id":"[^"]+"/, '"video_id":7'), /:3: "value" does not match \w+ \(topic \w+\): bad field\(s\) video_id/],
    ["array instead of object", "[1, 2]", /:3: not a JSON object/],
    ["extra field", first.replace(/^\{/, '{"partition":2,'), /:3: unknown field\(s\) "partition"/],
  ];
  for (const [what, line, message] of cases) {
    const file = path.join(dir, "bad.jsonl");
    // a blank line 2 still counts as a line
    await writeFile(file, `${first}\n\n${line}\n${good.slice(1).join("\n")}\n`);
    await assert.rejects(checkEventsFile(file), (error: unknown) => {
      assert.ok(error instanceof Error, what);
      assert.match(error.message, new RegExp(`^${literal(file)}`), `${what}: names the file`);
      assert.match(error.message, message, what);
      assert.match(error.message, /fix or delete line 3/, what);
      return true;
    });
  }
  await assert.rejects(checkEventsFile(path.join(dir, "missing.jsonl")), /no such file; write one with `virality simulate --out DIR`/);
  await assert.rejects(checkEventsFile(dir), new RegExp(`is a folder; did you mean ${literal(path.join(dir, "events.jsonl"))}\\?`));
  await writeFile(path.join(dir, "blank.jsonl"), "\n\n");
  await assert.rejects(checkEventsFile(path.join(dir, "blank.jsonl")), /holds no events/);
});
