// Proves the one-path guarantee: a video assembled from its table row (training) and from event-style
// records (scoring) gives the same feature vector at every stage.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assemble,
  assembleJoined,
  buildSpec,
  highestStage,
  recordsOfJoinRow,
  ridgeVector,
  STAGES,
  type EngagementSnapshot,
  type VideoRecords,
} from "../../src/features/index.js";
import { join as joinPath } from "node:path";
import { embeddingRow, joinWithEmbeddings, type EmbeddingMatrix, type JoinResult } from "../../src/io/join.js";
import { readTable, writeTable, type Table } from "../../src/io/tables/index.js";
import { tempDir } from "../io/tables/temp-dir.js";
import { BASE_TIME, HOUR, synthetic } from "./synthetic.js";

/** What the scorer would hold for video i, built from events (not from the table). */
function eventRecords(i: number, embedding: Float32Array): VideoRecords {
  const uploadedAt = BASE_TIME + i * 3 * HOUR + 17 * 60_000;
  const engagement: EngagementSnapshot[] = [];
  if (i % 5 !== 4) {
    engagement.push({ window: "6h", observed_at: uploadedAt + 6 * HOUR, views: 600 + 3 * i, likes: 60 + i, comments: 5, shares: 2 });
  }
  engagement.push({
    window: "1h",
    observed_at: uploadedAt + (i % 7 === 3 ? 3 * HOUR : HOUR),
    views: 100 + i,
    likes: 10 + (i % 7),
    comments: i % 4,
    shares: i % 3,
    retention: 0.3 + (i % 10) / 50,
    extras: { saves: i % 6 },
  });
  // a re-delivered, late copy of the 1h snapshot with other counts: never used
  engagement.push({ window: "1h", observed_at: uploadedAt + 2 * HOUR, views: 1, likes: 1, comments: 1, shares: 1 });
  const language = i % 3 === 0 ? "en" : i % 3 === 1 ? "pt" : null;
  return {
    upload: {
      video_id: `vid${String(i).padStart(4, "0")}`,
      channel_id: `UC${i % 4}`,
      uploaded_at: uploadedAt,
      duration_seconds: i % 9 === 0 ? null : 10 + i,
      language,
      captions: i % 2 === 0,
      cluster_id: String(i % 5).padStart(3, "0"),
      extras: { topic_score: i / 10, genre: ["music", "gaming", "news"][i % 3] ?? null },
    },
    embedding: Float32Array.from(embedding),
    engagement,
  };
}

function assertOnePath(table: Table, join: JoinResult, fused: EmbeddingMatrix): void {
  const { spec } = buildSpec(table, join, { minCategoryCount: 1 });
  for (let row = 0; row < join.tableRows.length; row++) {
    const index = Number(join.ids[row]?.slice(3));
    const fromEvents = eventRecords(index, embeddingRow(fused, join.embeddingRows[row] ?? 0));
    const fromTable = recordsOfJoinRow(spec, table, join, row);
    assert.equal(highestStage(spec, fromTable), highestStage(spec, fromEvents), `video ${index}`);
    for (const stage of STAGES) {
      const a = assemble(spec, stage, fromTable);
      const b = assemble(spec, stage, fromEvents);
      assert.deepEqual(a.values, b.values, `video ${index}, stage ${stage}`);
      assert.deepEqual(a.inputs, b.inputs, `video ${index}, stage ${stage}`);
      assert.deepEqual(ridgeVector(spec, stage, a.values), ridgeVector(spec, stage, b.values));
    }
  }
}

test("table-row assembly equals event-record assembly for every video and stage", () => {
  const { table, join, fused } = synthetic(60);
  assertOnePath(table, join, fused);
});

for (const extension of ["csv", "parquet"]) {
  test(`the guarantee holds for a table read from ${extension} (where "003" may read as 3, true as text)`, async (t) => {
    const { table, fused } = synthetic(60);
    const path = joinPath(await tempDir(t), `features.${extension}`);
    await writeTable(path, table);
    const read = await readTable(path);
    assertOnePath(read, joinWithEmbeddings(read, fused), fused);
  });
}

test("the batch matrix is the per-video vectors, row by row", () => {
  const { table, join } = synthetic(25);
  const { spec } = buildSpec(table, join, { minCategoryCount: 1 });
  for (const stage of STAGES) {
    const matrix = assembleJoined(spec, stage, table, join);
    const ridge = assembleJoined(spec, stage, table, join, { variant: "ridge" });
    for (let row = 0; row < matrix.rows; row++) {
      const single = assemble(spec, stage, recordsOfJoinRow(spec, table, join, row)).values;
      assert.deepEqual(matrix.data.subarray(row * matrix.width, (row + 1) * matrix.width), Float32Array.from(single));
      assert.deepEqual(
        ridge.data.subarray(row * ridge.width, (row + 1) * ridge.width),
        Float32Array.from(ridgeVector(spec, stage, single)),
      );
    }
  }
});
