/** A small joined data set with every kind of column, for the feature tests. */
import { joinWithEmbeddings, type EmbeddingMatrix, type JoinResult } from "../../src/io/join.js";
import { tableFromColumns, type Cell, type Table } from "../../src/io/tables/index.js";

export const HOUR = 3_600_000;
export const BASE_TIME = Date.UTC(2024, 4, 1, 0, 0, 0);

export interface Synthetic {
  readonly table: Table;
  readonly fused: EmbeddingMatrix;
  readonly join: JoinResult;
}

/** n videos; every 5th lacks a 6h snapshot, every 7th has its 1h snapshot observed 2 hours late. */
export function synthetic(n = 60, dim = 4): Synthetic {
  const ids = Array.from({ length: n }, (_, i) => `vid${String(i).padStart(4, "0")}`);
  const column = <T extends Cell>(f: (i: number) => T): T[] => ids.map((_, i) => f(i));
  const uploadedAt = (i: number): number => BASE_TIME + i * 3 * HOUR + 17 * 60_000;
  const table = tableFromColumns(
    {
      video_id: ids,
      uploaded_at: column((i) => new Date(uploadedAt(i)).toISOString()),
      channel_id: column((i) => `UC${i % 4}`),
      duration_seconds: column((i) => (i % 9 === 0 ? null : 10 + i)),
      language: column((i) => (i % 3 === 0 ? "en" : i % 3 === 1 ? "pt" : null)),
      captions: column((i) => (i % 2 === 0 ? "true" : "false")),
      cluster_id: column((i) => String(i % 5).padStart(3, "0")),
      topic_score: column((i) => i / 10),
      genre: column((i) => ["music", "gaming", "news"][i % 3] ?? null),
      views_1h: column((i) => 100 + i),
      likes_1h: column((i) => 10 + (i % 7)),
      comments_1h: column((i) => i % 4),
      shares_1h: column((i) => i % 3),
      retention_1h: column((i) => 0.3 + (i % 10) / 50),
      observed_at_1h: column((i) => (uploadedAt(i) + (i % 7 === 3 ? 3 * HOUR : HOUR)) / 1000),
      saves_1h: column((i) => i % 6),
      views_6h: column((i) => (i % 5 === 4 ? null : 600 + 3 * i)),
      likes_6h: column((i) => (i % 5 === 4 ? null : 60 + i)),
      comments_6h: column((i) => (i % 5 === 4 ? null : 5)),
      shares_6h: column((i) => (i % 5 === 4 ? null : 2)),
      views_24h: column((i) => 2000 + 10 * i),
      views_7d: column((i) => 9000 + 50 * i),
    },
    "synthetic.csv",
  );
  const fusedIds = [...ids].reverse();
  const fused: EmbeddingMatrix = {
    ids: fusedIds,
    dim,
    data: Float32Array.from({ length: n * dim }, (_, k) => Math.sin(k) * 3),
  };
  return { table, fused, join: joinWithEmbeddings(table, fused) };
}
