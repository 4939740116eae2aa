// Proves the SEISMIC import turns the 101 real cascades into a trainable table, fused.pt and event list.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { readFused } from "../../src/io/fused.js";
import { joinWithEmbeddings } from "../../src/io/join.js";
import { readTable } from "../../src/io/tables/read.js";
import { importSeismicCommand } from "../../src/sim/commands.js";
import { eventsInOrder } from "../../src/sim/delivery.js";
import { countUpTo, importSeismic, parseCascade, SEISMIC_DIM } from "../../src/sim/seismic.js";
import { median } from "./stats.js";
import { SEISMIC_DIR, tempDir } from "./helpers.js";

test("101 cascades, counts at 1h ≤ 6h ≤ 168h, median 6h count of the README's order (about 1,954)", async () => {
  const world = await importSeismic(SEISMIC_DIR);
  assert.equal(world.description, "SEISMIC sample, 101 cascades");
  assert.equal(world.videos.length, 101);
  for (const v of world.videos) {
    assert.ok(v.h1.views <= v.h6.views && v.h6.views <= v.outcome.views, `${v.videoId}: ${v.h1.views}, ${v.h6.views}, ${v.outcome.views}`);
    assert.equal(v.h6.shares, v.h6.views);
    assert.equal(v.h1.observedAt - v.uploadedAt, 3_600_000);
    assert.equal(v.embedding.length, SEISMIC_DIM);
  }
  const median6h = median(world.videos.map((v) => v.h6.views));
  assert.ok(median6h > 1954 / 3 && median6h < 1954 * 3, `median 6h count ${median6h}`);
  // Selection on the outcome: every cascade ended with about 2,000 retweets or more.
  assert.ok(Math.min(...world.videos.map((v) => v.outcome.views)) > 1500);

  const events = eventsInOrder(world);
  assert.equal(events.filter((e) => e.topic === "uploads").length, 101);
  assert.equal(events.filter((e) => e.topic === "engagement").length, 202);
  assert.equal(events.filter((e) => e.topic === "outcomes").length, 101);
});

test("the written table joins its fused.pt and holds no column for counts the data lacks", async (t) => {
  const summary = await importSeismicCommand({ dir: SEISMIC_DIR, out: await tempDir(t, "seismic") });
  assert.equal(summary.videos, 101);
  const [table, fused] = await Promise.all([readTable(summary.files.parquet), readFused(summary.files.fused)]);
  assert.equal(table.rowCount, 101);
  assert.equal(fused.dim, SEISMIC_DIM);
  assert.equal(joinWithEmbeddings(table, fused).report.matched, 101);
  for (const absent of ["likes_1h", "comments_6h", "retention_1h", "duration_seconds", "likes_7d"]) assert.ok(!table.byName.has(absent), absent);
  for (const present of ["views_1h", "shares_6h", "observed_at_6h", "views_7d", "poster_followers"]) assert.ok(table.byName.has(present), present);
});

test("the header total is not trusted: events are counted", () => {
  const cascade = parseCascade("999 0.5\n0 100\n10 5\n4000 7\n30000 9\n700000 1\n", "RTx.txt");
  assert.equal(cascade.headerTotal, 999);
  assert.equal(cascade.unit, "seconds");
  assert.equal(cascade.posterFollowers, 100);
  assert.deepEqual([countUpTo(cascade, 1), countUpTo(cascade, 6), countUpTo(cascade, 168), countUpTo(cascade, 1e9)], [1, 2, 3, 4]);
  assert.equal(cascade.startMs, 43_200_000);
});

test("a file with fractional times within 168 is read in hours, as TiDeH's loader reads its example file", () => {
  const cascade = parseCascade("3 26.5\n0.000000 10\n0.5 1\n2.25 1\n7.0 1\n", "sample_file.txt");
  assert.equal(cascade.unit, "hours");
  assert.deepEqual([countUpTo(cascade, 1), countUpTo(cascade, 6), countUpTo(cascade, 168)], [1, 2, 3]);
  assert.equal(cascade.startMs, 26.5 * 3_600_000);
});

test("a malformed line is refused naming the file and line", () => {
  assert.throws(
    () => parseCascade("2 0.1\n0 10\n5 x\n", "RT9.txt"),
    (error) => isViralityError(error, "VIR_TABLE_INVALID") && /RT9\.txt: line 3/.test(error.message),
  );
});
