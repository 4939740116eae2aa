/**
 * Kafka's default partitioner for keyed messages (the Java client's: murmur2 of the key's bytes, made
 * positive, modulo the partition count), so a video's records land where Java clients put them.
 *
 * kafkajs' DefaultPartitioner computes the same, but through 64-bit Long objects: several allocations
 * per message, which at 10,000 scores a second made it a twelfth of everything the scorer allocated
 * (bench/README.md). This one is 32-bit integer arithmetic on the key's bytes.
 */
import { randomInt } from "node:crypto";
import type { ICustomPartitioner, PartitionerArgs } from "kafkajs";

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** org.apache.kafka.common.utils.Utils.murmur2 over the first `length` bytes of `data`, as a signed 32-bit int. */
export function murmur2(data: Uint8Array, length: number = data.length): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // the last one to three bytes, as Java's fall-through switch
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (rest >= 1) h = Math.imul(h ^ (data[whole] ?? 0), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Keys up to this many UTF-8 bytes are hashed from a reused buffer instead of a new one. */
const scratch = Buffer.allocUnsafe(1024);

/** murmur2 of a key as Kafka sees it: a string's UTF-8 bytes. */
export function keyHash(key: Buffer | string): number {
  if (typeof key !== "string") return murmur2(key);
  if (key.length * 3 <= scratch.length) return murmur2(scratch, scratch.write(key, 0, "utf8"));
  return murmur2(Buffer.from(key, "utf8"));
}

/**
 * A drop-in for kafkajs' DefaultPartitioner: an explicit partition wins; a keyed message goes to
 * murmur2(key) & 0x7fffffff modulo the partition count; an unkeyed one round-robins over the
 * partitions that have a leader, from a random start per topic.
 */
export const javaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key !== undefined && message.key !== null) return (keyHash(message.key) & 0x7fffffff) % partitionMetadata.length;
    const next = ((counters.get(topic) ?? randomInt(2 ** 31)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pick = available[next % available.length];
    return pick === undefined ? next % partitionMetadata.length : pick.partitionId;
  };
};
