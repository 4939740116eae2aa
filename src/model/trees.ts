/**
 * A fitted tree ensemble (the gradient-boosted trees of trainer/gbdt) as flat typed arrays, its fast
 * predictor, and its JSON form.
 *
 * Layout: all trees' nodes live in one set of parallel arrays; tree t owns the nodes
 * [treeRoots[t], treeRoots[t + 1]) (the last tree ends at the node count), stored in preorder, so
 * every child index is greater than its parent's and inside its tree. A node is a leaf when
 * feature[node] === -1; then value[node] is what the tree adds (learning rate already applied).
 *
 * An internal node sends a row left when:
 *  - the feature value is NaN: missingLeft[node] === 1;
 *  - numeric split (catBitset[node] === -1): value <= threshold[node] (+Infinity means "all
 *    non-missing values go left", sklearn's split on missing values);
 *  - categorical split: the value is an integer code in [0, 255] whose bit is set in the node's
 *    8-word bitset (bitsets[8 * catBitset[node] ...]); any other value (negative, non-integer,
 *    >= 256) follows the missing-value direction. Codes never seen at fit time are folded into the
 *    bitset by the trainer exactly when missing values go left, as sklearn routes unknown
 *    categories like missing ones.
 *
 * Prediction: baseline + baseMargin[row] + the trees' values, summed in tree order (the same
 * order as in training, so fit-time and predict-time raw values agree).
 *
 * JSON: little-endian base64 of each typed array, so a round trip is bit-exact (thresholds may be
 * +Infinity, which plain JSON numbers cannot carry).
 */
import { isRecord } from "../json-guards.js";
import { ViralityError } from "../errors.js";
import { TreeWalk } from "./tree-walk.js";

export type FeatureArray = Float32Array | Float64Array;

/** A dense matrix of raw feature values; NaN marks a missing value. */
export interface FeatureMatrix {
  readonly data: FeatureArray;
  readonly nRows: number;
  readonly nCols: number;
  readonly layout: "row-major" | "column-major";
}

export const TREES_TYPE = "virality.gbdt-trees";
export const TREES_FORMAT_VERSION = 1;
/** Words (uint32) per categorical bitset: 256 category codes. */
export const BITSET_WORDS = 8;

export interface TreeEnsemble {
  readonly nFeatures: number;
  /** Constant raw prediction before any tree (mean of y − baseMargin at fit time). */
  readonly baseline: number;
  /** First node of each tree. */
  readonly treeRoots: Int32Array;
  /** Feature index of each internal node, -1 for a leaf. */
  readonly feature: Int32Array;
  /** Raw-value threshold of numeric splits (go left iff x <= threshold); 0 elsewhere. */
  readonly threshold: Float64Array;
  /** 1 when missing values (NaN) go to the left child. */
  readonly missingLeft: Uint8Array;
  /** Index of the categorical bitset (in units of BITSET_WORDS), -1 for numeric splits and leaves. */
  readonly catBitset: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf value (learning rate applied); 0 for internal nodes. */
  readonly value: Float64Array;
  /** BITSET_WORDS words per categorical split: bit c set = raw category code c goes left. */
  readonly bitsets: Uint32Array;
}

export function treeCount(model: TreeEnsemble): number {
  return model.treeRoots.length;
}

export function nodeCount(model: TreeEnsemble): number {
  return model.feature.length;
}

/** Strides of a matrix: element (row, col) is data[row * rowStride + col * colStride]. */
export function matrixStrides(x: FeatureMatrix): { rowStride: number; colStride: number } {
  return x.layout === "row-major" ? { rowStride: x.nCols, colStride: 1 } : { rowStride: 1, colStride: x.nRows };
}

function checkPredictInput(model: TreeEnsemble, x: FeatureMatrix, baseMargin: ArrayLike<number> | undefined): void {
  if (x.nCols !== model.nFeatures) {
    throw new ViralityError(
      "VIR_FEATURE_INVALID",
      `the model was fitted on ${model.nFeatures} features, the matrix has ${x.nCols} columns`,
      { details: { expected: model.nFeatures, got: x.nCols } },
    );
  }
  if (x.data.length !== x.nRows * x.nCols) {
    throw new ViralityError(
      "VIR_FEATURE_INVALID",
      `matrix data has ${x.data.length} values, expected nRows × nCols = ${x.nRows * x.nCols}`,
    );
  }
  if (baseMargin !== undefined && baseMargin.length !== x.nRows) {
    throw new ViralityError(
      "VIR_FEATURE_INVALID",
      `baseMargin has ${baseMargin.length} values for ${x.nRows} rows`,
    );
  }
}

/** Raw predictions for every row of x (baseline + baseMargin + trees). */
export function predictTrees(model: TreeEnsemble, x: FeatureMatrix, baseMargin?: ArrayLike<number>): Float64Array {
  checkPredictInput(model, x, baseMargin);
  const { rowStride, colStride } = matrixStrides(x);
  const out = new Float64Array(x.nRows);
  if (colStride !== 1) {
    // a column-major matrix (no hot path reads one) is walked a tree at a time
    for (let i = 0; i < x.nRows; i++) out[i] = predictTreeByTree(model, x.data, i * rowStride, colStride, baseMargin === undefined ? 0 : baseMargin[i]);
    return out;
  }
  const walk = walkOf(model);
  for (let i = 0; i < x.nRows; i++) out[i] = predictAt(model, walk, x.data, i * rowStride, baseMargin === undefined ? 0 : baseMargin[i]);
  return out;
}

/** Raw prediction for one row of feature values (length nFeatures). */
export function predictTreesRow(model: TreeEnsemble, row: ArrayLike<number>, baseMargin = 0): number {
  if (row.length !== model.nFeatures) {
    throw new ViralityError(
      "VIR_FEATURE_INVALID",
      `the model was fitted on ${model.nFeatures} features, the row has ${row.length} values`,
      { details: { expected: model.nFeatures, got: row.length } },
    );
  }
  return predictAt(model, walkOf(model), row, 0, baseMargin);
}

/** Raw prediction for the row data[rowOffset ...] of a row-major matrix (or one row). */
function predictAt(model: TreeEnsemble, walk: TreeWalk, data: ArrayLike<number>, rowOffset: number, baseMargin: number): number {
  walk.walk(data, rowOffset);
  const { stops, nodeOf, walkedTrees } = walk;
  const { value, feature, treeRoots } = model;
  let acc = model.baseline + baseMargin;
  // summed in tree order, as in training; a walk stopped at a categorical split finishes here
  for (let t = 0; t < walkedTrees; t++) {
    let node = nodeOf[stops[t]];
    if (feature[node] >= 0) node = leafOf(model, node, data, rowOffset, 1);
    acc += value[node];
  }
  for (let t = walkedTrees; t < treeRoots.length; t++) acc += value[leafOf(model, treeRoots[t], data, rowOffset, 1)];
  return acc;
}

/** The plain walk, one tree after the other, for any matrix layout. */
function predictTreeByTree(model: TreeEnsemble, data: ArrayLike<number>, rowOffset: number, colStride: number, baseMargin: number): number {
  let acc = model.baseline + baseMargin;
  for (let t = 0; t < model.treeRoots.length; t++) acc += model.value[leafOf(model, model.treeRoots[t], data, rowOffset, colStride)];
  return acc;
}

/** Built once per ensemble (an ensemble is not changed after it is built). */
const walks = new WeakMap<TreeEnsemble, TreeWalk>();

function walkOf(model: TreeEnsemble): TreeWalk {
  let w = walks.get(model);
  if (w === undefined) {
    w = new TreeWalk(model);
    walks.set(model, w);
  }
  return w;
}

/** The leaf a row reaches from `node` (a tree's root). */
function leafOf(model: TreeEnsemble, root: number, data: ArrayLike<number>, rowOffset: number, colStride: number): number {
  const { feature, threshold, missingLeft, catBitset, left, right, bitsets } = model;
  let node = root;
  let f = feature[node];
  while (f >= 0) {
    const v = data[rowOffset + f * colStride];
    let goLeft: boolean;
    const bitset = catBitset[node];
    if (v !== v) {
      goLeft = missingLeft[node] === 1;
    } else if (bitset < 0) {
      goLeft = v <= threshold[node];
    } else if (v >= 0 && v < 256 && v === Math.floor(v)) {
      goLeft = ((bitsets[bitset * BITSET_WORDS + (v >>> 5)] >>> (v & 31)) & 1) === 1;
    } else {
      goLeft = missingLeft[node] === 1;
    }
    node = goLeft ? left[node] : right[node];
    f = feature[node];
  }
  return node;
}

/**
 * Predictions of one matrix re-predicted many times with a few columns changed in place (permutation
 * importance): every tree's leaf value per row is kept from a first full walk, and a re-prediction
 * walks again only the trees that split on a changed column. The sum runs in tree order from the same
 * start as predictTrees, so the result is bit-identical to predictTrees on the changed matrix.
 */
export class CachedTreePredictions {
  readonly #model: TreeEnsemble;
  readonly #x: FeatureMatrix;
  /** leafValues[row * nTrees + t]: tree t's value for the row as the matrix was at construction. */
  readonly #leafValues: Float64Array;
  /** Per feature, the trees with a split on it. */
  readonly #treesOf: ReadonlyArray<readonly number[]>;

  constructor(model: TreeEnsemble, x: FeatureMatrix) {
    checkPredictInput(model, x, undefined);
    this.#model = model;
    this.#x = x;
    const nTrees = model.treeRoots.length;
    const { rowStride, colStride } = matrixStrides(x);
    this.#leafValues = new Float64Array(x.nRows * nTrees);
    for (let r = 0; r < x.nRows; r++) {
      for (let t = 0; t < nTrees; t++) this.#leafValues[r * nTrees + t] = model.value[leafOf(model, model.treeRoots[t], x.data, r * rowStride, colStride)];
    }
    const treesOf: Array<Set<number>> = Array.from({ length: model.nFeatures }, () => new Set());
    for (let t = 0; t < nTrees; t++) {
      const stack = [model.treeRoots[t]];
      for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
        const f = model.feature[node];
        if (f < 0) continue;
        treesOf[f]?.add(t);
        stack.push(model.left[node], model.right[node]);
      }
    }
    this.#treesOf = treesOf.map((set) => [...set]);
  }

  /** Whether any tree splits on the column (a column no tree reads cannot change a prediction). */
  uses(column: number): boolean {
    return (this.#treesOf[column]?.length ?? 0) > 0;
  }

  /** Predictions of the matrix now, which has changed since construction only in `columns`. */
  predict(columns: readonly number[], baseMargin?: ArrayLike<number>): Float64Array {
    const model = this.#model;
    const x = this.#x;
    checkPredictInput(model, x, baseMargin);
    const nTrees = model.treeRoots.length;
    const changed = new Uint8Array(nTrees);
    for (const c of columns) for (const t of this.#treesOf[c] ?? []) changed[t] = 1;
    const { rowStride, colStride } = matrixStrides(x);
    const out = new Float64Array(x.nRows);
    for (let r = 0; r < x.nRows; r++) {
      let acc = model.baseline + (baseMargin === undefined ? 0 : baseMargin[r]);
      const at = r * nTrees;
      for (let t = 0; t < nTrees; t++) {
        acc += changed[t] === 1 ? model.value[leafOf(model, model.treeRoots[t], x.data, r * rowStride, colStride)] : this.#leafValues[at + t];
      }
      out[r] = acc;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON

export interface TreesJSON {
  readonly type: typeof TREES_TYPE;
  readonly formatVersion: typeof TREES_FORMAT_VERSION;
  readonly encoding: "base64-le";
  readonly nFeatures: number;
  readonly nTrees: number;
  readonly nNodes: number;
  readonly nBitsets: number;
  /** The baseline as base64 of one little-endian float64 (exact, even for -0). */
  readonly baseline: string;
  readonly treeRoots: string;
  readonly feature: string;
  readonly threshold: string;
  readonly missingLeft: string;
  readonly catBitset: string;
  readonly left: string;
  readonly right: string;
  readonly value: string;
  readonly bitsets: string;
}

type ArrayKind = "int32" | "uint32" | "uint8" | "float64";
const BYTES: Record<ArrayKind, number> = { int32: 4, uint32: 4, uint8: 1, float64: 8 };

function encode(kind: ArrayKind, values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * BYTES[kind]);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (kind) {
      case "int32":
        view.setInt32(i * 4, v, true);
        break;
      case "uint32":
        view.setUint32(i * 4, v, true);
        break;
      case "uint8":
        view.setUint8(i, v);
        break;
      case "float64":
        view.setFloat64(i * 8, v, true);
        break;
    }
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBytes(field: string, text: unknown, expectedLength: number, kind: ArrayKind): DataView {
  if (typeof text !== "string" || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw invalid(field, "is not a base64 string");
  }
  const buf = Buffer.from(text, "base64");
  const expectedBytes = expectedLength * BYTES[kind];
  if (buf.length !== expectedBytes) {
    throw invalid(field, `decodes to ${buf.length} bytes, expected ${expectedBytes}`);
  }
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function decodeInt32(field: string, text: unknown, n: number): Int32Array {
  const view = decodeBytes(field, text, n, "int32");
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function decodeUint32(field: string, text: unknown, n: number): Uint32Array {
  const view = decodeBytes(field, text, n, "uint32");
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

function decodeUint8(field: string, text: unknown, n: number): Uint8Array {
  const view = decodeBytes(field, text, n, "uint8");
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
  return out;
}

function decodeFloat64(field: string, text: unknown, n: number): Float64Array {
  const view = decodeBytes(field, text, n, "float64");
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

export function treesToJSON(model: TreeEnsemble): TreesJSON {
  return {
    type: TREES_TYPE,
    formatVersion: TREES_FORMAT_VERSION,
    encoding: "base64-le",
    nFeatures: model.nFeatures,
    nTrees: model.treeRoots.length,
    nNodes: model.feature.length,
    nBitsets: model.bitsets.length / BITSET_WORDS,
    baseline: encode("float64", [model.baseline]),
    treeRoots: encode("int32", model.treeRoots),
    feature: encode("int32", model.feature),
    threshold: encode("float64", model.threshold),
    missingLeft: encode("uint8", model.missingLeft),
    catBitset: encode("int32", model.catBitset),
    left: encode("int32", model.left),
    right: encode("int32", model.right),
    value: encode("float64", model.value),
    bitsets: encode("uint32", model.bitsets),
  };
}

function invalid(field: string, problem: string): ViralityError {
  return new ViralityError("VIR_MODEL_INVALID", `trees: field "${field}" ${problem}`, { details: { field } });
}

const JSON_KEYS: readonly (keyof TreesJSON)[] = [
  "type",
  "formatVersion",
  "encoding",
  "nFeatures",
  "nTrees",
  "nNodes",
  "nBitsets",
  "baseline",
  "treeRoots",
  "feature",
  "threshold",
  "missingLeft",
  "catBitset",
  "left",
  "right",
  "value",
  "bitsets",
];


function count(obj: Record<string, unknown>, field: string, min: number): number {
  const v = obj[field];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw invalid(field, `must be an integer >= ${min}`);
  }
  return v;
}

/**
 * Reads and validates the JSON form. Refuses anything malformed (wrong tag or version, bad
 * encoding, inconsistent lengths, out-of-range indices, cycles, non-finite values) with
 * VIR_MODEL_INVALID naming the field, so a loaded model can always be evaluated safely.
 */
export function treesFromJSON(json: unknown): TreeEnsemble {
  if (!isRecord(json)) throw invalid("(root)", "is not an object");
  for (const key of Object.keys(json)) {
    if (!(JSON_KEYS as readonly string[]).includes(key)) throw invalid(key, "is not a known field");
  }
  if (json["type"] !== TREES_TYPE) throw invalid("type", `must be "${TREES_TYPE}"`);
  if (json["formatVersion"] !== TREES_FORMAT_VERSION) {
    throw invalid("formatVersion", `is ${JSON.stringify(json["formatVersion"])}; this build reads version ${TREES_FORMAT_VERSION}`);
  }
  if (json["encoding"] !== "base64-le") throw invalid("encoding", 'must be "base64-le"');
  const nFeatures = count(json, "nFeatures", 1);
  const nTrees = count(json, "nTrees", 0);
  const nNodes = count(json, "nNodes", 0);
  const nBitsets = count(json, "nBitsets", 0);

  const baseline = decodeFloat64("baseline", json["baseline"], 1)[0];
  if (!Number.isFinite(baseline)) throw invalid("baseline", "is not finite");
  const treeRoots = decodeInt32("treeRoots", json["treeRoots"], nTrees);
  const feature = decodeInt32("feature", json["feature"], nNodes);
  const threshold = decodeFloat64("threshold", json["threshold"], nNodes);
  const missingLeft = decodeUint8("missingLeft", json["missingLeft"], nNodes);
  const catBitset = decodeInt32("catBitset", json["catBitset"], nNodes);
  const left = decodeInt32("left", json["left"], nNodes);
  const right = decodeInt32("right", json["right"], nNodes);
  const value = decodeFloat64("value", json["value"], nNodes);
  const bitsets = decodeUint32("bitsets", json["bitsets"], nBitsets * BITSET_WORDS);

  for (let t = 0; t < nTrees; t++) {
    const start = treeRoots[t];
    // The first tree starts at node 0; each later one after the previous (every tree has a node).
    const outOfOrder = t === 0 ? start !== 0 : start <= treeRoots[t - 1];
    if (outOfOrder || start >= nNodes) {
      throw invalid("treeRoots", `entry ${t} (${start}) is out of order or out of range`);
    }
  }
  if (nTrees === 0 && nNodes !== 0) throw invalid("nNodes", "must be 0 when there are no trees");
  for (let t = 0; t < nTrees; t++) {
    const start = treeRoots[t];
    const end = t + 1 < nTrees ? treeRoots[t + 1] : nNodes;
    for (let node = start; node < end; node++) {
      const f = feature[node];
      if (missingLeft[node] > 1) throw invalid("missingLeft", `node ${node} is neither 0 nor 1`);
      if (f === -1) {
        if (!Number.isFinite(value[node])) throw invalid("value", `leaf ${node} is not finite`);
        continue;
      }
      if (f < 0 || f >= nFeatures) throw invalid("feature", `node ${node} has feature ${f}, outside [-1, ${nFeatures})`);
      const l = left[node];
      const r = right[node];
      // Preorder within the tree: children come after their parent, which rules out cycles.
      if (l <= node || l >= end) throw invalid("left", `node ${node} points to ${l}, outside its tree after it`);
      if (r <= node || r >= end) throw invalid("right", `node ${node} points to ${r}, outside its tree after it`);
      const b = catBitset[node];
      if (b === -1) {
        if (Number.isNaN(threshold[node])) throw invalid("threshold", `node ${node} is NaN`);
      } else if (b < 0 || b >= nBitsets) {
        throw invalid("catBitset", `node ${node} refers to bitset ${b}, outside [0, ${nBitsets})`);
      }
    }
  }
  return { nFeatures, baseline, treeRoots, feature, threshold, missingLeft, catBitset, left, right, value, bitsets };
}
