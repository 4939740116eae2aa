// Proves `virality models publish BUNDLE --rescore-all` (the real CLI) scores every cached video with the
// new model, and names the cached videos whose stored inputs the new model cannot use (here an embedding
// of the old model's dimension, and a key another client overwrote with a string) instead of failing or
// skipping them silently.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { writesOf } from "../../src/ingest/events.js";
import { saveBundle } from "../../src/model/bundle.js";
import { createRedis } from "../../src/store/redis.js";
import { VideoStore } from "../../src/store/video-store.js";
import { runCli } from "../support/cli.js";
import { ScoringHarness, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("rescore-all-reports-skipped", { timeout: 120_000 }, async (t) => {
  const old = await trainedWorld(2, {}, 16);
  const next = await trainedWorld(3, {}, 8);
  const h = await ScoringHarness.create(t);
  const redis = createRedis(h.config);
  t.after(() => redis.disconnect());
  const store = new VideoStore(redis, h.config.redis.keyPrefix);
  const stale = uniqueName("v-stale");
  const fresh = [uniqueName("v-fresh"), uniqueName("v-fresh")];
  await store.write(writesOf({ kind: "upload", event: uploadOf(old.world, 0, stale) }, null).map((write) => ({ videoId: stale, write })));
  for (const [i, id] of fresh.entries()) {
    await store.write(writesOf({ kind: "upload", event: uploadOf(next.world, i, id) }, null).map((write) => ({ videoId: id, write })));
  }
  const foreign = uniqueName("v-foreign");
  await redis.set(store.keyOf(foreign), "not a hash");
  const dir = mkdtempSync(path.join(tmpdir(), "virality-rescore-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "model.json");
  await saveBundle(next.bundle, file);

  const run = await runCli(h.config, ["models", "publish", file, "--rescore-all"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`re-scored 2 cached videos with ${next.bundle.version}`));
  assert.match(run.stdout, /skipped 2 cached videos .* cannot score with their stored inputs/);
  assert.match(run.stdout, new RegExp(`${foreign}: Redis refused .*WRONGTYPE.*DEL ${h.config.redis.keyPrefix}:v:\\{${foreign}\\}`));
  assert.match(run.stdout, new RegExp(`${stale}: .*16 dimensions, the model expects 8`));
  await h.waitFor("both fresh videos' scores", () => fresh.every((id) => h.scoresOf(id).length === 1));
  for (const id of fresh) assert.equal(h.scoresOf(id)[0]?.model_version, next.bundle.version);
  assert.equal(h.scoresOf(stale).length, 0);
  assert.equal(await redis.get(store.keyOf(foreign)), "not a hash", "the foreign value is left alone");
});
