// Proves `virality simulate` (the real CLI, a real process) takes any 32-bit seed, 0 included (train's default), and refuses one outside that range naming the flag.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../sim/helpers.js";

// simulate touches no service: the defaults are enough to run the CLI
const config = loadConfig({ env: {} });

test("simulate --seed 0 writes a world, like any other seed", async (t) => {
  const out = path.join(await tempDir(t, "simulate-seed"), "world");
  const run = await runCli(config, ["simulate", "--out", out, "--videos", "20", "--seed", "0"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /seed 0, 20 videos/);
  assert.ok((await readdir(out)).includes("fused.pt"));
});

test("a seed outside 0 … 4294967295 is refused, naming --seed", async (t) => {
  const out = path.join(await tempDir(t, "simulate-bad-seed"), "world");
  for (const seed of ["-1", "4294967296", "1.5", "x"]) {
    const run = await runCli(config, ["simulate", "--out", out, "--videos", "20", "--seed", seed]);
    assert.notEqual(run.code, 0, `--seed ${seed} was accepted`);
    assert.match(run.stderr, /--seed must be a whole number from 0 to 4294967295/, run.stderr);
  }
});
