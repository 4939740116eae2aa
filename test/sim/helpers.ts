/** Shared helpers of the simulator tests: temp dirs with cleanup, the repo root, the SEISMIC folder. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

/** The compiled test runs from dist/test/sim/, three levels below the repo root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const SEISMIC_DIR = resolve(REPO_ROOT, "../shared/data/seismic-retweets");

export async function tempDir(t: TestContext, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `virality-sim-${label}-${process.pid}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
