// The scorer gives a burst's memory back once it goes quiet (src/ops/idle-collector.ts). These pin
// when it collects (only after the quiet time, only when the heap grew, never when switched off) and
// that the collector it gets from V8 really collects.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { getHeapStatistics } from "node:v8";
import { fullCollection, IdleCollector } from "../../src/ops/idle-collector.js";

const MiB = 1024 * 1024;

/** A collector whose heap reading and collection are counted, not V8's. */
function counted(idleMs: number): { collector: IdleCollector; calls: () => number; grow: (bytes: number) => void } {
  let used = 100 * MiB;
  let calls = 0;
  const collector = new IdleCollector({
    idleMs,
    minGrowthBytes: 16 * MiB,
    usedHeapBytes: () => used,
    collect: () => {
      calls++;
      used = 100 * MiB;
    },
  });
  return { collector, calls: () => calls, grow: (bytes) => (used += bytes) };
}

/** One short piece of work, as a batch is. */
function batch(collector: IdleCollector): void {
  collector.begin();
  collector.end();
}

test("collects once the work has stopped for the quiet time, not while batches keep coming", async (t) => {
  // quiet time 200 ms; the checks sit 80-120 ms from any deadline
  const { collector, calls, grow } = counted(200);
  t.after(() => collector.stop());
  grow(64 * MiB);
  for (let i = 0; i < 10; i++) {
    batch(collector);
    await sleep(20);
  }
  assert.equal(collector.collections, 0, "collected while batches were still coming");
  await sleep(300);
  assert.equal(collector.collections, 1);
  assert.equal(calls(), 1, "the first pass");
  await sleep(200);
  assert.equal(calls(), 2, "the second pass, one quiet period later");
  await sleep(300);
  assert.equal(collector.collections, 1, "collected again without new work");
  assert.equal(calls(), 2);
});

test("work that comes between the two passes drops the second", async (t) => {
  const { collector, calls, grow } = counted(200);
  t.after(() => collector.stop());
  grow(64 * MiB);
  batch(collector);
  await sleep(300);
  assert.equal(calls(), 1);
  collector.begin();
  await sleep(300);
  assert.equal(calls(), 1, "a pass ran while work was in flight");
  collector.end();
  await sleep(400);
  assert.equal(calls(), 1, "the dropped pass ran after all, or a collection ran though the heap had not grown");
});

test("never collects while work is in flight, however long it takes", async (t) => {
  const { collector, grow } = counted(20);
  t.after(() => collector.stop());
  grow(64 * MiB);
  // a batch ends and starts the countdown; two more are in flight past the quiet time
  batch(collector);
  collector.begin();
  collector.begin();
  await sleep(100);
  assert.equal(collector.collections, 0, "collected while a batch was in flight");
  collector.end();
  await sleep(100);
  assert.equal(collector.collections, 0, "collected while the other batch was in flight");
  collector.end();
  await sleep(100);
  assert.equal(collector.collections, 1);
});

test("does not collect when the heap grew less than minGrowthBytes since the last collection", async (t) => {
  const { collector, grow } = counted(20);
  t.after(() => collector.stop());
  grow(15 * MiB);
  batch(collector);
  await sleep(100);
  assert.equal(collector.collections, 0);
  grow(2 * MiB);
  batch(collector);
  await sleep(100);
  assert.equal(collector.collections, 1);
});

test("idleMs 0 never collects", async (t) => {
  const collector = new IdleCollector({ idleMs: 0, minGrowthBytes: 0, collect: () => assert.fail("collected with idleMs 0") });
  t.after(() => collector.stop());
  batch(collector);
  await sleep(50);
  assert.equal(collector.collections, 0);
});

test("the collector V8 exposes frees garbage the process no longer holds", () => {
  const collect = fullCollection();
  collect();
  const before = getHeapStatistics().used_heap_size;
  let garbage: Array<{ id: string; values: number[] }> | null = Array.from({ length: 200_000 }, (_, i) => ({ id: `g${i}`, values: [i, i + 1] }));
  const held = getHeapStatistics().used_heap_size;
  assert.ok(held - before > 16 * MiB, `the garbage took ${((held - before) / MiB).toFixed(1)} MiB`);
  assert.equal(garbage.length, 200_000);
  garbage = null;
  collect();
  const after = getHeapStatistics().used_heap_size;
  assert.ok(after - before < 4 * MiB, `heap used ${(before / MiB).toFixed(1)} MiB before, ${(after / MiB).toFixed(1)} MiB after the collection`);
});
