import type { TreeEnsemble } from "../../src/model/trees.js";

/**
 * A one-tree ensemble whose root splits feature 0 at 0.5 (missing values left) into two leaves worth
 * `leaves`: enough to exercise the tree and bundle formats without training.
 */
export function stumpEnsemble(nFeatures: number, baseline: number, leaves: readonly [number, number]): TreeEnsemble {
  return {
    nFeatures,
    baseline,
    treeRoots: Int32Array.of(0),
    feature: Int32Array.of(0, -1, -1),
    threshold: Float64Array.of(0.5, 0, 0),
    missingLeft: Uint8Array.of(1, 0, 0),
    catBitset: Int32Array.of(-1, -1, -1),
    left: Int32Array.of(1, -1, -1),
    right: Int32Array.of(2, -1, -1),
    value: Float64Array.of(0, leaves[0], leaves[1]),
    bitsets: new Uint32Array(0),
  };
}
