// Proves the trained bundle records what it held out: with a time split, the videos uploaded at or after its boundary are exactly the test rows; with a random split, its ids are the seeded split's test rows.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { parseBundle, serializeBundle } from "../../src/model/bundle.js";
import { simulateWorld } from "../../src/sim/world.js";
import { writeWorld, type WorldFiles } from "../../src/sim/write.js";
import { randomSplit, splitSizes } from "../../trainer/eval/splits.js";
import { train } from "../../trainer/train.js";

const world = simulateWorld({ videos: 300, dim: 8, seed: 4 });
const dir = mkdtempSync(path.join(tmpdir(), "virality-held-out-"));
process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
const files: WorldFiles = await writeWorld(world, dir);
const quick = { gbdt: { maxIter: 20 }, importanceRepeats: 1, stages: ["upload", "6h"] } as const;

test("a time-split bundle holds out every upload from its boundary on: exactly the newest 20%, the test rows", async () => {
  const { bundle } = await train({ fused: files.fused, features: files.csv, seed: 4, ...quick });
  const heldOut = bundle.heldOut;
  assert.ok(heldOut !== undefined && heldOut.kind === "uploadedFrom", JSON.stringify(heldOut));
  const testRows = splitSizes(world.videos.length).test;
  // the world's videos are in upload order, as the table is; the time split tests on the newest rows
  const newest = world.videos.slice(-testRows).map((video) => video.videoId);
  const from = world.videos.filter((video) => video.uploadedAt >= heldOut.at).map((video) => video.videoId);
  assert.deepEqual(from, newest);
  assert.equal(heldOut.rows, testRows);
  const seen = world.videos.slice(0, -testRows);
  assert.ok(seen.every((video) => video.uploadedAt < heldOut.at), "every train and calibration row is strictly older");
  assert.deepEqual(parseBundle(serializeBundle(bundle), "memory").heldOut, heldOut);
});

test("a random-split bundle lists the seeded test rows' ids", async () => {
  const { bundle } = await train({ fused: files.fused, features: files.csv, seed: 4, split: "random", ...quick });
  const heldOut = bundle.heldOut;
  assert.ok(heldOut !== undefined && heldOut.kind === "videos", JSON.stringify(heldOut));
  const split = randomSplit(world.videos.length, { seed: 4 });
  const ids = Array.from(split.test, (row) => world.videos[row]?.videoId ?? "").sort();
  assert.deepEqual(heldOut.ids, ids);
  assert.equal(ids.length, splitSizes(world.videos.length).test);
  assert.deepEqual(parseBundle(serializeBundle(bundle), "memory").heldOut, heldOut);
});
