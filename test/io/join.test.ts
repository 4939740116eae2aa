// Proves that the join aligns table rows with fused.pt rows on video_id and reports what did not match.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { joinedEmbedding, joinWithEmbeddings, type EmbeddingMatrix } from "../../src/io/join.js";
import { tableFromColumns } from "../../src/io/tables/index.js";

function matrix(ids: string[], dim = 2): EmbeddingMatrix {
  return { ids, dim, data: Float32Array.from({ length: ids.length * dim }, (_, i) => i) };
}

test("the join keeps table order, aligns embedding rows and counts both sides' leftovers", () => {
  const table = tableFromColumns({ video_id: ["c", "x1", "a", "x2", "b"], views: [3, 9, 1, 9, 2] });
  const fused = matrix(["a", "b", "c", "f1", "f2", "f3", "f4", "f5", "f6"]);
  const join = joinWithEmbeddings(table, fused);
  assert.deepEqual([...join.tableRows], [0, 2, 4]);
  assert.deepEqual([...join.embeddingRows], [2, 0, 1]);
  assert.deepEqual(join.ids, ["c", "a", "b"]);
  assert.deepEqual([...joinedEmbedding(join, 0)], [4, 5]);
  assert.deepEqual(join.report, {
    matched: 3,
    tableOnly: 2,
    fusedOnly: 6,
    tableOnlyExamples: ["x1", "x2"],
    fusedOnlyExamples: ["f1", "f2", "f3", "f4", "f5"],
  });
});

test("zero matches is an error describing the id formats of both sides", () => {
  const table = tableFromColumns({ video_id: ["00123", "00456"], views: [1, 2] });
  const fused = matrix(["123", "456", "789"]);
  assert.throws(
    () => joinWithEmbeddings(table, fused),
    (error) => {
      assert.ok(isViralityError(error, "VIR_JOIN_INVALID"));
      assert.match(error.message, /Table ids: 2 ids \(digits ×2; length 5; e\.g\. "00123", "00456"\)/);
      assert.match(error.message, /fused\.pt ids: 3 ids \(digits ×3; length 3;/);
      assert.match(error.message, /2 ids would match if leading zeros were ignored/);
      return true;
    },
  );
});

test("a YouTube-style id side and a UUID side are told apart", () => {
  const table = tableFromColumns({ video_id: ["dQw4w9WgXcQ"], views: [1] });
  const fused = matrix(["3f2504e0-4f89-11d3-9a0c-0305e82c3301"]);
  assert.throws(() => joinWithEmbeddings(table, fused), /11-char base64url.*fused\.pt ids: 1 id \(uuid ×1/s);
});

test("an embedding matrix whose size disagrees with ids × dim, or with a repeated id, is refused", () => {
  const table = tableFromColumns({ video_id: ["a"], views: [1] });
  assert.throws(() => joinWithEmbeddings(table, { ids: ["a"], dim: 3, data: new Float32Array(2) }), /VIR_JOIN_INVALID|expected ids × dim/);
  assert.throws(() => joinWithEmbeddings(table, matrix(["a", "a"])), /holds the id "a" twice/);
});
