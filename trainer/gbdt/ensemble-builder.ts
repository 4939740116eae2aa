/**
 * Flattens grown trees into the TreeEnsemble arrays of src/model/trees.ts (raw thresholds, raw
 * category bitsets), and keeps a binned copy of each tree to score the binned validation rows
 * during early stopping (as sklearn's predict_binned).
 */
import type { TreeEnsemble } from "../../src/model/trees.js";
import { BITSET_WORDS } from "../../src/model/trees.js";
import type { BinMapper } from "./binning.js";
import { MAX_CATEGORY_CODE } from "./binning.js";
import type { GrowerNode, GrownTree } from "./grower.js";

export class EnsembleBuilder {
  private readonly treeRoots: number[] = [];
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly missingLeft: number[] = [];
  private readonly catBitset: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly value: number[] = [];
  private readonly bitsets: number[] = [];
  /** Binned split: numeric bin threshold, or for categorical splits the index into binBitsets. */
  private readonly binThreshold: number[] = [];
  private readonly binBitsets: number[] = [];

  constructor(private readonly mapper: BinMapper) {}

  get treeCount(): number {
    return this.treeRoots.length;
  }

  addTree(tree: GrownTree): void {
    this.treeRoots.push(this.feature.length);
    this.addNode(tree.root);
  }

  private addNode(node: GrowerNode): number {
    const index = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.missingLeft.push(0);
    this.catBitset.push(-1);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(0);
    this.binThreshold.push(0);
    const split = node.split;
    if (node.isLeaf || split === null || node.left === null || node.right === null) {
      this.value[index] = node.value;
      return index;
    }
    const f = split.feature;
    this.feature[index] = f;
    this.missingLeft[index] = split.missingLeft;
    const known = this.mapper.thresholds[f];
    if (split.isCategorical === 1) {
      const words = new Uint32Array(BITSET_WORDS);
      for (let b = 0; b < known.length; b++) {
        if (((split.binBitset[b >>> 5] >>> (b & 31)) & 1) === 1) setBit(words, known[b]);
      }
      if (split.missingLeft === 1) {
        // Codes unseen at fit time are routed like missing values (sklearn encodes them as NaN).
        const isKnown = new Uint8Array(MAX_CATEGORY_CODE + 1);
        for (const code of known) isKnown[code] = 1;
        for (let code = 0; code <= MAX_CATEGORY_CODE; code++) if (isKnown[code] === 0) setBit(words, code);
      }
      this.catBitset[index] = this.bitsets.length / BITSET_WORDS;
      this.bitsets.push(...words);
      this.binThreshold[index] = this.binBitsets.length / BITSET_WORDS;
      this.binBitsets.push(...split.binBitset);
    } else {
      // The last non-missing bin as threshold means "all non-missing values go left".
      this.threshold[index] = split.bin === this.mapper.nBinsNonMissing[f] - 1 ? Infinity : known[split.bin];
      this.binThreshold[index] = split.bin;
    }
    this.left[index] = this.addNode(node.left);
    this.right[index] = this.addNode(node.right);
    return index;
  }

  /** Adds tree `t`'s values for binned rows (column-major, nRows rows) to `raw`. */
  addBinnedPredictions(t: number, bins: Uint8Array, nRows: number, raw: Float64Array): void {
    const missingBin = this.mapper.missingBin;
    const root = this.treeRoots[t];
    const { feature, missingLeft, catBitset, left, right, value, binThreshold, binBitsets } = this;
    for (let i = 0; i < nRows; i++) {
      let node = root;
      let f = feature[node];
      while (f >= 0) {
        const bin = bins[f * nRows + i];
        let goLeft: boolean;
        if (bin === missingBin) goLeft = missingLeft[node] === 1;
        else if (catBitset[node] >= 0) {
          goLeft = ((binBitsets[binThreshold[node] * BITSET_WORDS + (bin >>> 5)] >>> (bin & 31)) & 1) === 1;
        } else goLeft = bin <= binThreshold[node];
        node = goLeft ? left[node] : right[node];
        f = feature[node];
      }
      raw[i] += value[node];
    }
  }

  build(baseline: number): TreeEnsemble {
    return {
      nFeatures: this.mapper.nFeatures,
      baseline,
      treeRoots: Int32Array.from(this.treeRoots),
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      missingLeft: Uint8Array.from(this.missingLeft),
      catBitset: Int32Array.from(this.catBitset),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      bitsets: Uint32Array.from(this.bitsets),
    };
  }
}

function setBit(words: Uint32Array, bit: number): void {
  words[bit >>> 5] |= 1 << (bit & 31);
}
