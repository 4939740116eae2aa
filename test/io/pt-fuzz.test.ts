// Proves that 1,500 seeded mutations of real .pt files each end as a parsed value or a ViralityError:
// no RangeError/TypeError escapes, nothing hangs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fuzz, loadSeeds, prng } from "./pt-fuzz-cases.js";

test("the PRNG is deterministic", () => {
  const a = prng(42);
  const b = prng(42);
  const first = [a(), a(), a()];
  assert.deepEqual([b(), b(), b()], first);
  assert.notDeepEqual([prng(43)(), prng(43)(), prng(43)()], first);
});

test("1,500 mutated .pt files: every outcome is a value or a ViralityError", async () => {
  const seeds = await loadSeeds();
  assert.ok(seeds.length >= 40, `only ${seeds.length} seed files`);
  const tally = await fuzz(seeds, 0x5eed, 1500);
  assert.deepEqual(tally.crashes, [], "a non-ViralityError escaped the reader");
  assert.equal(tally.parsed + tally.refused, 1500);
  // Both outcomes occur, so the mutations are neither all harmless nor all rejected at the door.
  assert.ok(tally.parsed > 50, `parsed ${tally.parsed}`);
  assert.ok(tally.refused > 500, `refused ${tally.refused}`);
  assert.ok((tally.codes.get("VIR_PT_CORRUPT") ?? 0) > 0);
});
