// Pins that our partitioner puts every keyed record where the Java client and kafkajs' own
// DefaultPartitioner put it: a video's scores must stay on one partition whichever client wrote them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Partitioners } from "kafkajs";
import { javaCompatiblePartitioner, keyHash, murmur2 } from "../../src/ingest/partitioner.js";
import { partitionsOf } from "../support/partitions.js";

test("murmur2 gives the Java client's values (Kafka's UtilsTest vectors)", () => {
  const cases: Array<[Uint8Array | string, number]> = [
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    [new Uint8Array([0x61, 0x62, 0x63]), 479470107],
  ];
  for (const [key, expected] of cases) {
    assert.equal(typeof key === "string" ? keyHash(key) : murmur2(key), expected, `murmur2(${String(key)})`);
  }
});

test("keyed records go to the partition kafkajs' DefaultPartitioner picks", () => {
  const ours = javaCompatiblePartitioner();
  const theirs = Partitioners.DefaultPartitioner();
  let seed = 7;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const alphabet = "abcxyz0189-_{}:é日本🙂";
  for (let n = 0; n < 5_000; n++) {
    const length = next() % 40;
    let text = "";
    for (let i = 0; i < length; i++) text += [...alphabet][next() % [...alphabet].length];
    const key: string | Buffer = n % 3 === 0 ? Buffer.from(text, "utf8") : text;
    const partitionMetadata = partitionsOf(1 + (next() % 12));
    const message = { key, value: null };
    assert.equal(ours({ topic: "t", partitionMetadata, message }), theirs({ topic: "t", partitionMetadata, message }), `key ${JSON.stringify(text)}`);
  }
  // a key longer than the reused buffer is hashed the same way
  const long = "v".repeat(5_000) + "日本";
  const partitionMetadata = partitionsOf(7);
  assert.equal(ours({ topic: "t", partitionMetadata, message: { key: long, value: null } }), theirs({ topic: "t", partitionMetadata, message: { key: long, value: null } }));
});

test("an explicit partition wins; unkeyed records rotate over the partitions with a leader", () => {
  const partition = javaCompatiblePartitioner();
  const partitionMetadata = partitionsOf(4, [2]);
  assert.equal(partition({ topic: "t", partitionMetadata, message: { key: "k", value: null, partition: 3 } }), 3);
  const seen = new Set<number>();
  for (let i = 0; i < 30; i++) seen.add(partition({ topic: "t", partitionMetadata, message: { value: null } }));
  assert.deepEqual([...seen].sort(), [0, 1, 3], "every partition with a leader, never the leaderless one");
});
