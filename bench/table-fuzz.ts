/**
 * More features-table fuzzing than the test suite runs: mutates CSV, TSV and Parquet files written by
 * writeTable (see test/io/tables/table-fuzz-cases.ts) and checks every outcome is a consistent Table
 * or a ViralityError naming the file.
 *
 * Usage: node dist/bench/table-fuzz.js [cases=10000] [seed=1]
 * Exits 1 if any case failed: prints the first failures and keeps their files under the OS temp folder
 * (virality-table-fuzz-failures/) to turn into regression tests.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fuzzTables, loadTableSeeds } from "../test/io/tables/table-fuzz-cases.js";

const cases = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
if (!Number.isSafeInteger(cases) || cases <= 0 || !Number.isSafeInteger(seed)) {
  console.error("usage: node dist/bench/table-fuzz.js [cases=10000] [seed=1]");
  process.exit(2);
}
const seeds = await loadTableSeeds();
const started = performance.now();
const tally = await fuzzTables(seeds, seed, cases);
const seconds = (performance.now() - started) / 1000;
const codes = [...tally.codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(", ");
const formats = [...tally.byFormat].map(([format, n]) => `${format} ${n.parsed}/${n.refused}`).join(", ");
console.log(`table-fuzz: ${tally.cases} cases from ${seeds.length} seed files, seed ${seed}, ${seconds.toFixed(1)} s (${((seconds * 1000) / tally.cases).toFixed(2)} ms/case)`);
console.log(`  parsed ${tally.parsed}, refused ${tally.refused} (${codes || "none"}), failures ${tally.failures.length}`);
console.log(`  parsed/refused by format: ${formats}`);
if (tally.failures.length > 0) {
  const dir = path.join(tmpdir(), "virality-table-fuzz-failures");
  await mkdir(dir, { recursive: true });
  for (const failure of tally.failures.slice(0, 20)) {
    const file = path.join(dir, `seed${seed}-case${failure.index}-${failure.seed}`);
    await writeFile(file, failure.bytes);
    if (tally.failures.indexOf(failure) < 5) console.log(`  ${failure.kind.toUpperCase()} ${failure.seed} case ${failure.index} (${file}): ${failure.error}`);
  }
}
process.exit(tally.failures.length === 0 ? 0 : 1);
