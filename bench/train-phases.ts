/**
 * Where `virality train` spends its time: a simulated world (default 5,000 videos, d = 512, seed 5)
 * written as fused.pt + Parquet, trained with the defaults (three stages, time split, baselines,
 * permutation importance with 5 repeats), the wall time of each progress step summed over the stages.
 *
 *   node dist/bench/train-phases.js [--videos 5000] [--dim 512]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simulateWorld } from "../src/sim/world.js";
import { writeWorld } from "../src/sim/write.js";
import { train } from "../trainer/train.js";
import { positiveArg } from "./args.js";

const videos = positiveArg("videos", 5_000, true);
const dim = positiveArg("dim", 512, true);
const dir = mkdtempSync(path.join(tmpdir(), "virality-train-phases-"));
try {
  const files = await writeWorld(simulateWorld({ videos, dim, seed: 5 }), dir);
  const spent = new Map<string, number>();
  let step = "start";
  let since = performance.now();
  const started = since;
  const close = (): void => {
    const now = performance.now();
    // "reading /tmp/…/fused.pt" and the like: one row per kind of step
    const kind = step.startsWith("reading ") ? `reading ${path.extname(step)}` : step;
    spent.set(kind, (spent.get(kind) ?? 0) + now - since);
    since = now;
  };
  await train({
    fused: files.fused,
    features: files.parquet,
    seed: 5,
    onProgress: (event) => {
      close();
      step = event.step;
    },
  });
  close();
  console.log(`train ${videos.toLocaleString("en-US")} videos, d = ${dim} (Node ${process.version}): ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const [name, ms] of [...spent].sort((a, b) => b[1] - a[1])) {
    if (ms >= 10) console.log(`${(ms / 1000).toFixed(2).padStart(8)} s  ${name}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
