/** A unique temporary directory for one test, removed when the test ends. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "virality-tables-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
