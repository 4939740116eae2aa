// Pins kafkajs' producer grouping as patched by deploy/patches (applied by `npm ci`'s postinstall):
// the same grouping as kafkajs 2.2.4's, in one pass instead of one array copy per message.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Message } from "kafkajs";
import { javaCompatiblePartitioner } from "../../src/ingest/partitioner.js";
import { GROUPING_MODULE, installedGrouping, installedGroupingFile } from "../support/kafkajs-grouping.js";
import { partitionsOf } from "../support/partitions.js";

test("the installed kafkajs groups in one pass (deploy/patches applied by npm ci's postinstall)", () => {
  const source = readFileSync(installedGroupingFile(), "utf8");
  assert.ok(!source.includes("[...current, message]"), `${GROUPING_MODULE} still copies each partition's array per message: run \`npm ci\` (its postinstall applies deploy/patches)`);
});

test("messages are grouped by the partitioner's partition, each group in send order", () => {
  const group = installedGrouping();
  const partitioner = javaCompatiblePartitioner();
  const partitionMetadata = partitionsOf(6);
  const messages: Message[] = Array.from({ length: 5_000 }, (_, i) => ({ key: `video-${i % 1_700}`, value: String(i) }));
  const grouped = group({ topic: "t", partitionMetadata, messages, partitioner });

  const expected = new Map<number, Message[]>();
  for (const message of messages) {
    const partition = partitioner({ topic: "t", partitionMetadata, message });
    expected.set(partition, [...(expected.get(partition) ?? []), message]);
  }
  assert.deepEqual(Object.keys(grouped).map(Number).sort(), [...expected.keys()].sort());
  for (const [partition, list] of expected) assert.deepEqual(grouped[String(partition)], list, `partition ${partition}`);
  assert.deepEqual(group({ topic: "t", partitionMetadata: [], messages, partitioner }), {});
});
