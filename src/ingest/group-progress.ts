/** How far a consumer group has come: committed offsets against the topics' ends. */
import type { Admin } from "kafkajs";
import { ViralityError } from "../errors.js";

/** The end offset (high watermark) of every partition of the topics, by "topic/partition". */
export async function topicEnds(admin: Admin, topics: readonly string[]): Promise<Map<string, bigint>> {
  const ends = new Map<string, bigint>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
  }
  return ends;
}

/** Messages the group has not committed yet, up to the given ends. */
export async function groupBehind(admin: Admin, groupId: string, ends: ReadonlyMap<string, bigint>): Promise<bigint> {
  const topics = [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf("/"))))];
  const committed = new Map<string, bigint>();
  for (const c of await admin.fetchOffsets({ groupId, topics })) {
    for (const p of c.partitions) committed.set(`${c.topic}/${p.partition}`, p.offset === "-1" ? 0n : BigInt(p.offset));
  }
  let behind = 0n;
  for (const [key, end] of ends) {
    const done = committed.get(key) ?? 0n;
    if (done < end) behind += end - done;
  }
  return behind;
}

/** Waits until the group has committed everything up to `ends`. */
export async function waitCaughtUp(
  admin: Admin,
  groupId: string,
  ends: ReadonlyMap<string, bigint>,
  options: { timeoutMs?: number; pollMs?: number; onProgress?: (behind: bigint) => void; shouldStop?: () => boolean } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const start = Date.now();
  for (;;) {
    const behind = await groupBehind(admin, groupId, ends);
    options.onProgress?.(behind);
    if (behind === 0n || options.shouldStop?.() === true) return;
    if (Date.now() - start > timeoutMs) {
      throw new ViralityError("VIR_KAFKA_UNAVAILABLE", `consumer group ${groupId} is still ${behind} messages behind after ${timeoutMs} ms`, {
        details: { groupId },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
