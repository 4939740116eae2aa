/**
 * The column groups of a stage's raw feature vector for grouped permutation importance: the
 * embedding block, the upload metadata (upload fields, upload-time parts, extras) and the
 * engagement snapshots. Empty groups are left out.
 */
import { featuresOfStage, type FeatureSpec, type Stage } from "../../src/features/index.js";
import type { ColumnGroup } from "./importance.js";

export type ImportanceGroupName = "embedding" | "metadata" | "engagement";

export function importanceGroups(spec: FeatureSpec, stage: Stage): ColumnGroup[] {
  const columns: Record<ImportanceGroupName, number[]> = {
    embedding: Array.from({ length: spec.embeddingDim }, (_, i) => i),
    metadata: [],
    engagement: [],
  };
  featuresOfStage(spec, stage).forEach((feature, k) => {
    const group = feature.source.from === "engagement" ? columns.engagement : columns.metadata;
    group.push(spec.embeddingDim + k);
  });
  const names: readonly ImportanceGroupName[] = ["embedding", "metadata", "engagement"];
  return names.filter((name) => columns[name].length > 0).map((name) => ({ name, columns: columns[name] }));
}
