// Proves the trainer's helpers read upload times and the target aligned with the join rows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { joinedNumbers, joinedUploadTimes } from "../../src/features/index.js";
import { joinWithEmbeddings } from "../../src/io/join.js";
import { tableFromColumns } from "../../src/io/tables/index.js";

test("upload times and a numeric column come out in join order, parsed like assembly parses them", () => {
  const table = tableFromColumns({
    video_id: ["a", "b", "c"],
    uploaded_at: ["2024-05-01T00:00:00Z", "1714521600", "2024-05-01 01:00:00"],
    views_7d: [10, null, 30],
  });
  const join = joinWithEmbeddings(table, { ids: ["c", "a"], dim: 1, data: Float32Array.from([1, 2]) });
  const may1 = Date.UTC(2024, 4, 1);
  assert.deepEqual([...joinedUploadTimes(table, join)], [may1, may1 + 3_600_000]);
  assert.deepEqual([...joinedNumbers(table, join, "views_7d")], [10, 30]);
  assert.throws(() => joinedNumbers(table, join, "views_30d"), /no "views_30d" column/);
});

test("a bad upload time names its row", () => {
  const table = tableFromColumns({ video_id: ["a", "b"], uploaded_at: ["2024-05-01", "soon"] });
  const join = joinWithEmbeddings(table, { ids: ["a", "b"], dim: 1, data: Float32Array.from([1, 2]) });
  assert.throws(() => joinedUploadTimes(table, join), /row 2 has no valid uploaded_at/);
});
