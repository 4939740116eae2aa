/** kafkajs' internal grouping of a send's messages by partition (patched by deploy/patches), for its test and bench. */
import { createRequire } from "node:module";
import type { Message, PartitionMetadata } from "kafkajs";

const require = createRequire(import.meta.url);

/** The module's path as `require` resolves it. */
export const GROUPING_MODULE = "kafkajs/src/producer/groupMessagesPerPartition.js";

type Partitioner = (args: { topic: string; partitionMetadata: PartitionMetadata[]; message: Message }) => number;
export type Grouping = (args: { topic: string; partitionMetadata: PartitionMetadata[]; messages: Message[]; partitioner: Partitioner }) => Record<string, Message[]>;

function isGrouping(value: unknown): value is Grouping {
  return typeof value === "function";
}

/** The installed grouping function. */
export function installedGrouping(): Grouping {
  const loaded: unknown = require(GROUPING_MODULE);
  if (!isGrouping(loaded)) throw new Error(`${GROUPING_MODULE} does not export a function`);
  return loaded;
}

/** The installed module's source file. */
export function installedGroupingFile(): string {
  return require.resolve(GROUPING_MODULE);
}
