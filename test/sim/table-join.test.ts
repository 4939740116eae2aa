// Proves a written world reads back through the project's table reader and joins with its fused.pt, every id matched.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inferColumns } from "../../src/features/columns.js";
import { readFused } from "../../src/io/fused.js";
import { joinedEmbedding, joinWithEmbeddings } from "../../src/io/join.js";
import { readTable } from "../../src/io/tables/read.js";
import { cellAt } from "../../src/io/tables/table.js";
import { simulateWorld } from "../../src/sim/world.js";
import { writeWorld } from "../../src/sim/write.js";
import { tempDir } from "./helpers.js";

test("features.csv and features.parquet read back equal, join fused.pt with all ids matched, and follow the column convention", async (t) => {
  const world = simulateWorld({ seed: 8, videos: 500, channels: 40, dim: 16 });
  const files = await writeWorld(world, await tempDir(t, "join"));
  const [csv, parquet, fused] = await Promise.all([readTable(files.csv), readTable(files.parquet), readFused(files.fused)]);

  assert.equal(csv.rowCount, 500);
  assert.deepEqual(csv.columns.map((c) => c.name), parquet.columns.map((c) => c.name));
  for (const column of csv.columns) {
    const other = parquet.byName.get(column.name);
    assert.ok(other !== undefined);
    for (let row = 0; row < csv.rowCount; row++) assert.equal(cellAt(column, row), cellAt(other, row), `${column.name} row ${row}`);
  }

  const join = joinWithEmbeddings(csv, fused);
  assert.equal(join.report.matched, 500);
  assert.equal(join.report.tableOnly, 0);
  assert.equal(join.report.fusedOnly, 0);
  const video = world.videos[123];
  const at = join.ids.indexOf(video?.videoId ?? "");
  assert.deepEqual([...joinedEmbedding(join, at)], [...(video?.embedding ?? [])]);

  const roles = new Map(inferColumns(csv).map((plan) => [plan.column, plan.role === "feature" ? `feature:${plan.stage}` : plan.role]));
  assert.equal(roles.get("video_id"), "key");
  assert.equal(roles.get("uploaded_at"), "upload-time");
  assert.equal(roles.get("views_7d"), "target");
  assert.equal(roles.get("likes_7d"), "later-horizon");
  assert.equal(roles.get("observed_at_1h"), "observed-at");
  assert.equal(roles.get("observed_at_6h"), "observed-at");
  for (const name of ["channel_id", "duration_seconds", "language", "captions", "cluster_id", "channel_followers", "orientation"]) {
    assert.equal(roles.get(name), "feature:upload", name);
  }
  for (const metric of ["views", "likes", "comments", "shares", "retention"]) {
    assert.equal(roles.get(`${metric}_1h`), "feature:1h", metric);
    assert.equal(roles.get(`${metric}_6h`), "feature:6h", metric);
  }
});
