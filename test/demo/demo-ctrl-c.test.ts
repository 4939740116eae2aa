// Proves Ctrl-C during the demo's stream stops it cleanly: the process exits with 130 and says so, the
// files written before (world, model bundle, training report) are whole, no temporary file is left, and
// no backtest report is written from a partial stream.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { demoConfig } from "../../src/cli/commands/demo.js";
import { envOfConfig } from "../../src/config.js";
import { loadBundle } from "../../src/model/bundle.js";
import { readFused } from "../../src/io/fused.js";
import { cleanUp, testConfig } from "../support/services.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

test("ctrl-c during the demo's stream leaves nothing half-written", { timeout: 180_000 }, async (t) => {
  const config = await testConfig(t);
  t.after(() => cleanUp(demoConfig(config)));
  const out = mkdtempSync(path.join(tmpdir(), "virality-demo-int-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VIRALITY_")));
  const child = spawn(process.execPath, [MAIN, "demo", "--videos", "300", "--seconds", "60", "--out", out], {
    env: { ...inherited, ...envOfConfig(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => child.kill("SIGKILL"));
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const streaming = new Promise<void>((resolve) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        lines.push(line);
        if (line.startsWith("5/6 streaming")) resolve();
      });
    }
  });
  await Promise.race([streaming, exited.then(() => assert.fail(`the demo ended before streaming:\n${lines.join("\n")}`))]);
  // let some events flow, then press Ctrl-C
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  child.kill("SIGINT");
  const code = await exited;

  const text = lines.join("\n");
  assert.equal(code, 130, text);
  assert.match(text, /interrupted: stopping after the current streaming step/);
  assert.match(text, /demo interrupted during streaming: nothing half-written/);
  const files = filesUnder(out);
  assert.deepEqual(files.filter((f) => f.endsWith(".tmp") || path.basename(f).startsWith(".")), [], "temporary files left");
  assert.ok(!files.some((f) => f.startsWith("backtest")), `a backtest report was written from a partial stream: ${files.join(", ")}`);
  // what was written before the interruption is whole: it loads
  const bundle = await loadBundle(path.join(out, "model", "model.json"));
  assert.deepEqual(Object.keys(bundle.stages).sort(), ["1h", "6h", "upload"]);
  const fused = await readFused(path.join(out, "world", "fused.pt"));
  assert.equal(fused.ids.length, 300);
  assert.ok(files.includes(path.join("model", "report.html")) && files.includes(path.join("model", "report.json")));
});
