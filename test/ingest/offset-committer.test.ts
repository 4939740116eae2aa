// The committer's own rules, with a commit function that records what it is given (the broker's side is
// pinned by test/scorer/offsets-commit-off-the-batch-path): newest offset per partition, one commit at a
// time and in order, a failed commit kept for the next one unless newer offsets arrived, rewinds go back.
// The interval is long except in the last test: only explicit flushes commit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "../../src/logger.js";
import { OffsetCommitter, type PartitionOffset } from "../../src/ingest/offset-committer.js";

const logger = createLogger("silent");
const at = (topic: string, partition: number, offset: number): PartitionOffset => ({ topic, partition, offset: String(offset) });

/** A committer whose commits always succeed, and the offsets each one sent. */
function recordingCommitter(intervalMs: number): { committer: OffsetCommitter; sent: PartitionOffset[][] } {
  const sent: PartitionOffset[][] = [];
  return { committer: new OffsetCommitter(async (offsets) => void sent.push(offsets), intervalMs, logger), sent };
}

test("a partition's newest offset is committed, one commit at a time and in order", async () => {
  const sent: PartitionOffset[][] = [];
  let running = 0;
  let overlapped = false;
  const committer = new OffsetCommitter(
    async (offsets) => {
      overlapped ||= running > 0;
      running++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      sent.push(offsets);
      running--;
    },
    10_000,
    logger,
  );
  committer.add(at("t", 0, 5));
  committer.add(at("t", 0, 3)); // an older hand-over never lowers what is pending
  committer.add(at("t", 1, 7));
  const first = committer.flush();
  await new Promise((resolve) => setImmediate(resolve)); // the first commit has taken what was pending
  committer.add(at("t", 0, 9));
  await Promise.all([first, committer.flush()]);
  committer.close();
  assert.equal(overlapped, false);
  assert.deepEqual(sent, [[at("t", 0, 5), at("t", 1, 7)], [at("t", 0, 9)]]);
  assert.deepEqual(committer.pending, []);
});

test("a failed commit keeps its offsets for the next one, unless newer ones arrived meanwhile", async () => {
  const sent: PartitionOffset[][] = [];
  let fail = true;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const committer = new OffsetCommitter(
    async (offsets) => {
      if (fail) {
        await gate;
        throw new Error("REBALANCE_IN_PROGRESS");
      }
      sent.push(offsets);
    },
    10_000,
    logger,
  );
  committer.add(at("t", 0, 5));
  committer.add(at("t", 1, 7));
  const failing = committer.flush();
  await new Promise((resolve) => setImmediate(resolve)); // the commit has taken what was pending
  committer.add(at("t", 0, 8)); // handed over while the commit is in flight
  release();
  await assert.rejects(failing, /REBALANCE_IN_PROGRESS/);
  assert.deepEqual(committer.pending, [at("t", 0, 8), at("t", 1, 7)]);
  fail = false;
  await committer.flush();
  committer.close();
  assert.deepEqual(sent, [[at("t", 0, 8), at("t", 1, 7)]]);
});

test("a rewind commits lower offsets at once; partitions no longer held are forgotten", async () => {
  const { committer, sent } = recordingCommitter(10_000);
  committer.add(at("t", 0, 50));
  committer.add(at("t", 2, 40));
  committer.retainOnly({ t: [0, 1] });
  await committer.rewind([at("t", 0, 0), at("t", 1, 0)]);
  committer.close();
  assert.deepEqual(sent, [[at("t", 0, 0), at("t", 1, 0)]]);
});

test("handed-over offsets are committed by the timer without a flush", async () => {
  const { committer, sent } = recordingCommitter(20);
  committer.add(at("t", 0, 1));
  const deadline = Date.now() + 5_000;
  while (sent.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  committer.close();
  assert.deepEqual(sent, [[at("t", 0, 1)]]);
});
