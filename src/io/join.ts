/**
 * Joins a features table with the fused embeddings on `video_id`. Rows stay in table order; the
 * result holds, for every matched row, its table row and its row in the embedding matrix.
 */
import { ViralityError } from "../errors.js";
import { KEY_COLUMN, type Table } from "./tables/table.js";

/** The shape fused.pt is read into (see src/io/fused.ts): row-major [ids.length × dim]. */
export interface EmbeddingMatrix {
  readonly ids: readonly string[];
  readonly dim: number;
  readonly data: Float32Array;
}

export interface JoinReport {
  readonly matched: number;
  readonly tableOnly: number;
  readonly fusedOnly: number;
  /** The first few ids found only in the table / only in fused.pt. */
  readonly tableOnlyExamples: readonly string[];
  readonly fusedOnlyExamples: readonly string[];
}

export interface JoinResult {
  /** Matched rows, in table order: row `i` of the join is table row tableRows[i]. */
  readonly tableRows: Int32Array;
  /** ... and embedding row embeddingRows[i] (its vector is data[embeddingRows[i]*dim ...]). */
  readonly embeddingRows: Int32Array;
  /** The video_id of each matched row. */
  readonly ids: readonly string[];
  /** The matrix joined against (not copied). */
  readonly embeddings: EmbeddingMatrix;
  readonly report: JoinReport;
}

const EXAMPLES = 5;

export function joinWithEmbeddings(table: Table, fused: EmbeddingMatrix): JoinResult {
  checkMatrix(fused);
  const key = table.byName.get(KEY_COLUMN);
  if (key === undefined || key.type !== "text") {
    throw new ViralityError("VIR_JOIN_INVALID", `${table.source}: no "${KEY_COLUMN}" text column to join fused.pt on.`, {
      details: { file: table.source },
    });
  }
  const fusedRow = new Map<string, number>();
  fused.ids.forEach((id, row) => {
    const earlier = fusedRow.get(id);
    if (earlier !== undefined) {
      throw new ViralityError(
        "VIR_JOIN_INVALID",
        `fused.pt holds the id "${id}" twice (rows ${earlier} and ${row}); the join needs one embedding per video.`,
        { details: { id, first: earlier, second: row } },
      );
    }
    fusedRow.set(id, row);
  });

  const tableRows: number[] = [];
  const embeddingRows: number[] = [];
  const ids: string[] = [];
  const tableOnlyExamples: string[] = [];
  const usedFused = new Uint8Array(fused.ids.length);
  let tableOnly = 0;
  for (let row = 0; row < table.rowCount; row++) {
    const id = key.values[row] ?? null;
    const match = id === null ? undefined : fusedRow.get(id);
    if (id === null || match === undefined) {
      tableOnly++;
      if (tableOnlyExamples.length < EXAMPLES && id !== null) tableOnlyExamples.push(id);
      continue;
    }
    tableRows.push(row);
    embeddingRows.push(match);
    ids.push(id);
    usedFused[match] = 1;
  }
  const fusedOnlyExamples: string[] = [];
  let fusedOnly = 0;
  usedFused.forEach((used, row) => {
    if (used === 1) return;
    fusedOnly++;
    const id = fused.ids[row];
    if (fusedOnlyExamples.length < EXAMPLES && id !== undefined) fusedOnlyExamples.push(id);
  });

  if (tableRows.length === 0) {
    const tableIds = key.values.filter((id): id is string => id !== null);
    throw new ViralityError(
      "VIR_JOIN_INVALID",
      `no video_id of ${table.source} is in fused.pt (${table.rowCount} table rows, ${fused.ids.length} embeddings). ` +
        `Table ids: ${describeIdFormat(tableIds)}. fused.pt ids: ${describeIdFormat(fused.ids)}.` +
        normalizationHint(tableIds, fused.ids),
      { details: { file: table.source, tableRows: table.rowCount, fusedRows: fused.ids.length } },
    );
  }
  return {
    tableRows: Int32Array.from(tableRows),
    embeddingRows: Int32Array.from(embeddingRows),
    ids,
    embeddings: fused,
    report: { matched: tableRows.length, tableOnly, fusedOnly, tableOnlyExamples, fusedOnlyExamples },
  };
}

/** Row `row` of an embedding matrix (a view, no copy). */
export function embeddingRow(matrix: EmbeddingMatrix, row: number): Float32Array {
  return matrix.data.subarray(row * matrix.dim, (row + 1) * matrix.dim);
}

/** The embedding of join row `i` (a view, no copy). */
export function joinedEmbedding(join: JoinResult, i: number): Float32Array {
  const row = join.embeddingRows[i];
  if (row === undefined) throw new RangeError(`join row ${i} is outside 0…${join.embeddingRows.length - 1}`);
  return embeddingRow(join.embeddings, row);
}

function checkMatrix(fused: EmbeddingMatrix): void {
  if (!Number.isInteger(fused.dim) || fused.dim <= 0 || fused.data.length !== fused.ids.length * fused.dim) {
    throw new ViralityError(
      "VIR_JOIN_INVALID",
      `the embeddings hold ${fused.data.length} floats for ${fused.ids.length} ids of dimension ${fused.dim}; expected ids × dim.`,
      { details: { ids: fused.ids.length, dim: fused.dim, floats: fused.data.length } },
    );
  }
}

/** One shape per id, e.g. "11-char base64url", "digits", "uuid", "hex", "other". */
function idShape(id: string): string {
  if (/^\d+$/.test(id)) return "digits";
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return "uuid";
  if (/^[0-9a-f]+$/i.test(id)) return "hex";
  if (/^[A-Za-z0-9_-]{11}$/.test(id)) return "11-char base64url (YouTube-like)";
  if (id !== id.trim()) return "with surrounding spaces";
  if (/^[A-Za-z0-9_-]+$/.test(id)) return "alphanumeric";
  return "other";
}

/** "12 ids; shapes: digits ×10, other ×2; lengths 5–8; e.g. "12345", "00123"". */
export function describeIdFormat(ids: readonly string[]): string {
  if (ids.length === 0) return "none";
  const shapes = new Map<string, number>();
  let minLength = Number.POSITIVE_INFINITY;
  let maxLength = 0;
  for (const id of ids) {
    const shape = idShape(id);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    minLength = Math.min(minLength, id.length);
    maxLength = Math.max(maxLength, id.length);
  }
  const shapeText = [...shapes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([shape, count]) => `${shape} ×${count}`)
    .join(", ");
  const lengths = minLength === maxLength ? `length ${minLength}` : `lengths ${minLength}–${maxLength}`;
  const examples = ids.slice(0, 3).map((id) => JSON.stringify(id)).join(", ");
  return `${ids.length} id${ids.length === 1 ? "" : "s"} (${shapeText}; ${lengths}; e.g. ${examples})`;
}

const NORMALIZATIONS: ReadonlyArray<{ readonly name: string; readonly apply: (id: string) => string }> = [
  { name: "surrounding spaces", apply: (id) => id.trim() },
  { name: "letter case", apply: (id) => id.toLowerCase() },
  { name: "leading zeros", apply: (id) => id.replace(/^0+(?=\d)/, "") },
  { name: "a file extension", apply: (id) => id.replace(/\.[A-Za-z0-9]{2,4}$/, "") },
];

/** If ids would match after a simple clean-up, say which one. */
function normalizationHint(tableIds: readonly string[], fusedIds: readonly string[]): string {
  for (const { name, apply } of NORMALIZATIONS) {
    const fusedSet = new Set(fusedIds.map(apply));
    const hits = tableIds.reduce((count, id) => (fusedSet.has(apply(id)) ? count + 1 : count), 0);
    if (hits > 0) return ` ${hits} ids would match if ${name} were ignored; make both sides write ids the same way.`;
  }
  return " Check that both files describe the same videos.";
}
