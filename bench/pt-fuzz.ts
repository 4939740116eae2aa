/**
 * More .pt fuzzing than the test suite runs: mutates the real fixture files and a written fused.pt
 * (see test/io/pt-fuzz-cases.ts) and checks every outcome is a parsed value or a ViralityError.
 *
 * Usage: node dist/bench/pt-fuzz.js [cases=10000] [seed=1]
 * Exits 1 and prints the first failures if any other error escaped the reader.
 */
import { fuzz, loadSeeds } from "../test/io/pt-fuzz-cases.js";

const cases = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
if (!Number.isSafeInteger(cases) || cases <= 0 || !Number.isSafeInteger(seed)) {
  console.error("usage: node dist/bench/pt-fuzz.js [cases=10000] [seed=1]");
  process.exit(2);
}
const seeds = await loadSeeds();
const started = performance.now();
const tally = await fuzz(seeds, seed, cases);
const seconds = (performance.now() - started) / 1000;
const codes = [...tally.codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(", ");
console.log(`pt-fuzz: ${tally.cases} cases from ${seeds.length} seed files, seed ${seed}, ${seconds.toFixed(1)} s`);
console.log(`  parsed ${tally.parsed}, refused ${tally.refused} (${codes}), crashes ${tally.crashes.length}`);
for (const crash of tally.crashes.slice(0, 5)) console.log(`  CRASH ${crash.seed} case ${crash.index}: ${crash.error}`);
process.exit(tally.crashes.length === 0 ? 0 : 1);
