/**
 * kafkajs' producer grouping of a send's messages by partition: kafkajs 2.2.4 as published (one new
 * array per message, quadratic in the messages of a topic) against the installed one, patched by
 * deploy/patches (one pass). Side by side in one run, at a live scorer batch (165 scores), a soak send
 * (~1,500 under the scorer's 512 kB request cap) and 10,000 messages; 6 partitions, the scorer's
 * partitioner. Prints the median time per call of each and the ratio.
 *
 *   node dist/bench/kafkajs-grouping.js
 */
import type { Message } from "kafkajs";
import { javaCompatiblePartitioner } from "../src/ingest/partitioner.js";
import { installedGrouping, type Grouping } from "../test/support/kafkajs-grouping.js";
import { partitionsOf } from "../test/support/partitions.js";

/** kafkajs 2.2.4's src/producer/groupMessagesPerPartition.js as published (MIT), for comparison. */
const published: Grouping = ({ topic, partitionMetadata, messages, partitioner }) => {
  if (partitionMetadata.length === 0) return {};
  return messages.reduce<Record<string, Message[]>>((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition] ?? [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
};

const installed = installedGrouping();

const partitioner = javaCompatiblePartitioner();
const partitionMetadata = partitionsOf(6);

function medianMs(group: Grouping, messages: Message[], repeats: number): number {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    group({ topic: "scores", partitionMetadata, messages, partitioner });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

console.log(`kafkajs grouping by partition (${new Date().toISOString()}, Node ${process.version}); median ms per call`);
console.log("  messages   published   installed   published/installed");
for (const n of [165, 1_500, 10_000]) {
  const messages: Message[] = Array.from({ length: n }, (_, i) => ({ key: `video-${i}`, value: Buffer.alloc(120) }));
  const repeats = n >= 10_000 ? 15 : 200;
  // alternate the two, warming both first
  medianMs(published, messages, 5);
  medianMs(installed, messages, 5);
  const a = medianMs(published, messages, repeats);
  const b = medianMs(installed, messages, repeats);
  console.log(`  ${String(n).padStart(8)}   ${a.toFixed(3).padStart(9)}   ${b.toFixed(3).padStart(9)}   ${(a / b).toFixed(1).padStart(8)}×`);
}
