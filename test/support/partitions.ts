import type { PartitionMetadata } from "kafkajs";

/** A topic's partition metadata as kafkajs hands it to a partitioner: `count` partitions on broker 0, those in `leaderless` without a leader. */
export function partitionsOf(count: number, leaderless: readonly number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0, partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, replicas: [0], isr: [0],
  }));
}
