/**
 * Split finding on one feature's histogram, and applying a split to a node's samples, following
 * sklearn's splitting.pyx (squared error: constant hessians, so sums of hessians are counts).
 *
 * Numeric features: a left-to-right scan (missing values go right); when the feature had missing
 * values at fit time, also a right-to-left scan (missing values go left) that wins only with a
 * strictly larger gain. Splits leaving fewer than minSamplesLeaf samples on a side are skipped.
 * Within a scan the best bin maximises GL²/HL + GR²/HR, compared as fractions (no division per
 * bin); the winner's gain is then computed with sklearn's formula
 *   gain = G·value − GL·vL − GR·vR,  v = −G/(H + l2 + 1e-15),
 * where `value` is the node's own value (0 at the root, as in sklearn).
 *
 * Categorical features: categories (and the missing bin) with at least MIN_CAT_SUPPORT samples are
 * sorted by sum_gradient / (count + MIN_CAT_SUPPORT) and scanned from both ends up to the middle;
 * low-support categories always go right. The left set is a bitset of bins.
 */

/** sklearn's MIN_CAT_SUPPORT (LightGBM's cat_smooth). */
export const MIN_CAT_SUPPORT = 10;
/** sklearn's epsilon added to the hessian sums of node values (and of the split score). */
export const VALUE_EPS = 1e-15;

/** The best split of a node, or gain -1 when none is valid. Reused as scratch; copy to keep. */
export class SplitRecord {
  gain = -1;
  feature = -1;
  /** Numeric: samples with bin <= this go left. Unused for categorical splits. */
  bin = 0;
  missingLeft = 0;
  isCategorical = 0;
  sumGradLeft = 0;
  countLeft = 0;
  /**
   * The split's score GL²·HR + GR²·HL over HL·HR (H = count + l2 + 1e-15) as a fraction: later
   * features' scans start from it, so they only track bins that beat it (see scanNumeric).
   */
  scoreNum = -1;
  scoreDen = 1;
  /** Categorical: bins going left (bit b of word b >> 5); includes the missing bin if it goes left. */
  readonly binBitset = new Uint32Array(8);

  reset(): void {
    this.gain = -1;
    this.scoreNum = -1;
    this.scoreDen = 1;
    this.feature = -1;
    this.bin = 0;
    this.missingLeft = 0;
    this.isCategorical = 0;
    this.sumGradLeft = 0;
    this.countLeft = 0;
    this.binBitset.fill(0);
  }

  copyFrom(other: SplitRecord): void {
    this.gain = other.gain;
    this.feature = other.feature;
    this.bin = other.bin;
    this.missingLeft = other.missingLeft;
    this.isCategorical = other.isCategorical;
    this.sumGradLeft = other.sumGradLeft;
    this.countLeft = other.countLeft;
    this.scoreNum = other.scoreNum;
    this.scoreDen = other.scoreDen;
    this.binBitset.set(other.binBitset);
  }
}

/** What the scan needs to know about a node. */
export interface NodeStats {
  readonly sumGrad: number;
  readonly count: number;
  /** The node's (unshrunk) value: 0 for the root, else −G/(N + l2 + 1e-15). */
  readonly value: number;
}

export interface SplitConstraints {
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  readonly minGainToSplit: number;
  readonly missingBin: number;
}

/** sklearn's compute_node_value without monotonic bounds. */
export function nodeValue(sumGrad: number, count: number, l2: number): number {
  return -sumGrad / (count + l2 + VALUE_EPS);
}

function exactGain(gl: number, nl: number, g: number, n: number, nodeVal: number, l2: number): number {
  const gr = g - gl;
  const nr = n - nl;
  return g * nodeVal - gl * nodeValue(gl, nl, l2) - gr * nodeValue(gr, nr, l2);
}

/**
 * Scans one numeric feature (histogram at hist[base ...]) and replaces `best` when its best split
 * has a strictly larger gain. With `sibling`, `hist` first becomes hist − sibling (a parent's
 * histograms turning into its larger child's), fused into the scan: only the bins a numeric
 * feature uses (its non-missing bins and the missing bin) are updated; the others are zero in both.
 */
export function scanNumeric(
  hist: Float64Array,
  sibling: Float64Array | null,
  base: number,
  feature: number,
  nBinsNonMissing: number,
  hasMissing: boolean,
  node: NodeStats,
  c: SplitConstraints,
  best: SplitRecord,
): void {
  const G = node.sumGrad;
  const N = node.count;
  const msl = c.minSamplesLeaf;
  const l2e = c.l2Regularization + VALUE_EPS;
  // Start from the best split of the features scanned before: a bin of this feature matters only if
  // it beats that one (sklearn keeps the first best feature), and tracking only those bins keeps
  // the branch below predictable (a rising gain curve would otherwise set a record every few bins).
  let bestNum = best.scoreNum;
  let bestDen = best.scoreDen;
  let bestBin = -1;
  let bestGl = 0;
  let bestNl = 0;
  let bestMissingLeft = 0;

  // Left to right; the last non-missing bin may go left only when missing values exist (they go right).
  const end = nBinsNonMissing - 1 + (hasMissing ? 1 : 0);
  let gl = 0;
  let nl = 0;
  if (sibling === null) {
    for (let b = 0; b < end; b++) {
      const k = base + 2 * b;
      gl += hist[k];
      nl += hist[k + 1];
      const gr = G - gl;
      const nr = N - nl;
      const hl = nl + l2e;
      const hr = nr + l2e;
      const num = gl * gl * hr + gr * gr * hl;
      const den = hl * hr;
      if (num * bestDen > bestNum * den && nl >= msl && nr >= msl) {
        bestNum = num;
        bestDen = den;
        bestBin = b;
        bestGl = gl;
        bestNl = nl;
      }
    }
  } else {
    for (let b = 0; b < end; b++) {
      const k = base + 2 * b;
      const g = hist[k] - sibling[k];
      const n = hist[k + 1] - sibling[k + 1];
      hist[k] = g;
      hist[k + 1] = n;
      gl += g;
      nl += n;
      const gr = G - gl;
      const nr = N - nl;
      const hl = nl + l2e;
      const hr = nr + l2e;
      const num = gl * gl * hr + gr * gr * hl;
      const den = hl * hr;
      if (num * bestDen > bestNum * den && nl >= msl && nr >= msl) {
        bestNum = num;
        bestDen = den;
        bestBin = b;
        bestGl = gl;
        bestNl = nl;
      }
    }
    for (let b = Math.max(end, 0); b < nBinsNonMissing; b++) {
      const k = base + 2 * b;
      hist[k] -= sibling[k];
      hist[k + 1] -= sibling[k + 1];
    }
    const m = base + 2 * c.missingBin;
    hist[m] -= sibling[m];
    hist[m + 1] -= sibling[m + 1];
  }
  if (hasMissing) {
    // Right to left; missing values go left with the samples of bins <= b.
    let gr = 0;
    let nr = 0;
    for (let b = nBinsNonMissing - 2; b >= 0; b--) {
      const k = base + 2 * (b + 1);
      gr += hist[k];
      nr += hist[k + 1];
      const glr = G - gr;
      const nlr = N - nr;
      const hl = nlr + l2e;
      const hr = nr + l2e;
      const num = glr * glr * hr + gr * gr * hl;
      const den = hl * hr;
      if (num * bestDen > bestNum * den && nlr >= msl && nr >= msl) {
        bestNum = num;
        bestDen = den;
        bestBin = b;
        bestGl = glr;
        bestNl = nlr;
        bestMissingLeft = 1;
      }
    }
  }
  if (bestBin >= 0) keepNumeric(best, feature, bestBin, bestMissingLeft, bestGl, bestNl, bestNum, bestDen, node, c);
}

/**
 * A numeric feature's best bin, found by a scan that started from `best`'s score (and so beats
 * it), replaces `best` when its exact gain is strictly larger (sklearn keeps the first best feature).
 */
function keepNumeric(
  best: SplitRecord,
  feature: number,
  bin: number,
  missingLeft: number,
  gl: number,
  nl: number,
  num: number,
  den: number,
  node: NodeStats,
  c: SplitConstraints,
): void {
  const gain = exactGain(gl, nl, node.sumGrad, node.count, node.value, c.l2Regularization);
  if (gain > best.gain && gain > c.minGainToSplit) {
    best.gain = gain;
    best.feature = feature;
    best.bin = bin;
    best.missingLeft = missingLeft;
    best.isCategorical = 0;
    best.sumGradLeft = gl;
    best.countLeft = nl;
    best.scoreNum = num;
    best.scoreDen = den;
  }
}

/**
 * The results of a two-feature scan (histogram-kernels.ts' PairScan: lanes A = feature `a`, B =
 * feature `b`, both started from `best`'s score) offered to `best` as scanNumeric on a, then on b,
 * would: B's bin, which beat the seed, must also beat whatever A's lane put into `best`.
 */
export function keepPair(best: SplitRecord, a: number, b: number, lanes: Float64Array, node: NodeStats, c: SplitConstraints): void {
  const seedNum = best.scoreNum;
  const seedDen = best.scoreDen;
  const binA = lanes[0];
  if (binA >= 0) keepNumeric(best, a, binA, 0, lanes[2], lanes[4], lanes[6], lanes[8], node, c);
  const binB = lanes[1];
  if (b === a || binB < 0) return;
  const num = lanes[7];
  const den = lanes[9];
  const aKept = best.scoreNum !== seedNum || best.scoreDen !== seedDen;
  if (aKept && !(num * best.scoreDen > best.scoreNum * den)) return;
  keepNumeric(best, b, binB, 0, lanes[3], lanes[5], num, den, node, c);
}

/** The score fraction of a split with GL, NL on the left (see SplitRecord.scoreNum). */
function setScore(best: SplitRecord, gl: number, nl: number, node: NodeStats, l2: number): void {
  const hl = nl + l2 + VALUE_EPS;
  const hr = node.count - nl + l2 + VALUE_EPS;
  const gr = node.sumGrad - gl;
  best.scoreNum = gl * gl * hr + gr * gr * hl;
  best.scoreDen = hl * hr;
}

/** Scratch for categorical scans (one per thread). */
export class CategoricalScratch {
  readonly bins = new Int32Array(256);
  readonly values = new Float64Array(256);
  readonly order: number[] = [];
}

/** Scans one categorical feature, sklearn's _find_best_bin_to_split_category. */
export function scanCategorical(
  hist: Float64Array,
  base: number,
  feature: number,
  nBinsNonMissing: number,
  hasMissing: boolean,
  node: NodeStats,
  c: SplitConstraints,
  best: SplitRecord,
  scratch: CategoricalScratch,
): void {
  const G = node.sumGrad;
  const N = node.count;
  const l2 = c.l2Regularization;
  const msl = c.minSamplesLeaf;
  let nUsed = 0;
  const consider = (bin: number): void => {
    const count = hist[base + 2 * bin + 1];
    // support_factor = n / sum_hessians = 1 with constant hessians
    if (count >= MIN_CAT_SUPPORT) {
      scratch.bins[nUsed] = bin;
      scratch.values[nUsed] = hist[base + 2 * bin] / (count + MIN_CAT_SUPPORT);
      nUsed++;
    }
  };
  for (let b = 0; b < nBinsNonMissing; b++) consider(b);
  if (hasMissing) consider(c.missingBin);
  if (nUsed <= 1) return;

  const order = scratch.order;
  order.length = 0;
  for (let i = 0; i < nUsed; i++) order.push(i);
  order.sort((a, b) => scratch.values[a] - scratch.values[b] || a - b);

  let bestGain = -1;
  let bestThresh = -1;
  let bestDirection = 1;
  let bestGl = 0;
  let bestNl = 0;
  for (const direction of [1, -1]) {
    const middle = direction === 1 ? (nUsed + 1) >> 1 : ((nUsed + 1) >> 1) - 1;
    let gl = 0;
    let nl = 0;
    for (let i = 0; i < middle; i++) {
      const sorted = direction === 1 ? i : nUsed - 1 - i;
      const bin = scratch.bins[order[sorted]];
      gl += hist[base + 2 * bin];
      nl += hist[base + 2 * bin + 1];
      if (nl < msl) continue;
      if (N - nl < msl) break;
      const gain = exactGain(gl, nl, G, N, node.value, l2);
      if (gain > bestGain && gain > c.minGainToSplit) {
        bestGain = gain;
        bestThresh = sorted;
        bestDirection = direction;
        bestGl = gl;
        bestNl = nl;
      }
    }
  }
  if (bestThresh < 0 || !(bestGain > best.gain)) return;
  best.gain = bestGain;
  best.feature = feature;
  best.bin = 0;
  best.isCategorical = 1;
  best.sumGradLeft = bestGl;
  best.countLeft = bestNl;
  setScore(best, bestGl, bestNl, node, l2);
  best.binBitset.fill(0);
  const from = bestDirection === 1 ? 0 : bestThresh;
  const to = bestDirection === 1 ? bestThresh : nUsed - 1;
  for (let s = from; s <= to; s++) {
    const bin = scratch.bins[order[s]];
    best.binBitset[bin >>> 5] |= 1 << (bin & 31);
  }
  best.missingLeft = hasMissing ? (best.binBitset[c.missingBin >>> 5] >>> (c.missingBin & 31)) & 1 : 0;
}

/** Whether a sample in bin `bin` of the split feature goes to the left child. */
export function binGoesLeft(split: SplitRecord, bin: number, missingBin: number): boolean {
  if (split.isCategorical === 1) return ((split.binBitset[bin >>> 5] >>> (bin & 31)) & 1) === 1;
  return (split.missingLeft === 1 && bin === missingBin) || bin <= split.bin;
}

/**
 * Reorders partition[start .. start + count) so the samples going left come first (each side
 * keeps its order) and returns how many went left.
 */
export function partitionNode(
  partition: Uint32Array,
  start: number,
  count: number,
  bins: Uint8Array,
  nSamples: number,
  split: SplitRecord,
  missingBin: number,
  scratch: Uint32Array,
): number {
  const column = split.feature * nSamples;
  const goesLeft = new Uint8Array(missingBin + 1);
  for (let b = 0; b <= missingBin; b++) goesLeft[b] = binGoesLeft(split, b, missingBin) ? 1 : 0;
  let nLeft = 0;
  let nRight = 0;
  for (let i = start, end = start + count; i < end; i++) {
    const row = partition[i];
    if (goesLeft[bins[column + row]] === 1) partition[start + nLeft++] = row;
    else scratch[nRight++] = row;
  }
  partition.set(scratch.subarray(0, nRight), start + nLeft);
  return nLeft;
}
