/**
 * The predictor's fast tree walk: four trees in lockstep in WebAssembly (src/model/tree-walk.wat).
 *
 * One walk is a chain of dependent loads (node, feature value, child), so four independent chains
 * keep the core busy; in WebAssembly a step costs about half what the same loop costs in JS (no
 * bounds or type checks on the typed arrays: bench/README.md, predictor). Each node is one 16-byte
 * record, so a step touches one cache line; the records are numbered afresh, each tree in preorder
 * with the left subtree first, whatever order the bundle stores, so a numeric split's left child is
 * the next record and is not stored. A walk stops at a leaf or at a categorical split, which the
 * caller finishes (trees.ts' leafOf), as it walks the last trees that do not make a group of four.
 *
 * Each ensemble gets its own instance (its own memory: the records, and room for one row and the
 * stops); a walk copies the row in, so it is not reentrant, and JS never runs two at once in a thread.
 */
import { TREE_WALK_WASM } from "./generated/tree-walk-wasm.js";
import type { TreeEnsemble } from "./trees.js";
import { fixedMemory, WasmModule } from "./wasm-module.js";

/** In a record's first word: the column (low bits), missing values go left (bit 30), a numeric split to take (bit 31). */
const COLUMN_BITS = 0x3fffffff;
const MISSING_LEFT = 1 << 30;
const STEP = 1 << 31;
const RECORD_BYTES = 16;

type WalkExport = (roots: number, trees: number, records: number, row: number, out: number) => void;

function isWalkExport(value: unknown): value is WalkExport {
  return typeof value === "function" && value.length === 5;
}

const MODULE = new WasmModule("tree walk", TREE_WALK_WASM);

export class TreeWalk {
  /** The ensemble's node each record stands for. */
  readonly nodeOf: Int32Array;
  /** Trees the walk takes (a multiple of four); the caller walks the rest. */
  readonly walkedTrees: number;
  /** After `walk`, the record each of the first `walkedTrees` trees stopped at. */
  readonly stops: Int32Array;
  readonly #row: Float64Array;
  readonly #walk: WalkExport;
  readonly #offsets: { readonly roots: number; readonly records: number; readonly row: number; readonly out: number };

  constructor(model: TreeEnsemble) {
    const nodes = model.feature.length;
    const trees = model.treeRoots.length;
    const columns = model.nFeatures;
    if (columns > COLUMN_BITS) throw new RangeError(`the tree walk takes at most ${COLUMN_BITS} features, the model has ${columns}`);
    // records first (16-byte aligned), then the row (8-byte), then roots and stops (4-byte)
    const records = 0;
    const row = records + RECORD_BYTES * nodes;
    const roots = row + 8 * columns;
    const out = roots + 4 * trees;
    const bytes = out + 4 * trees;
    const memory = fixedMemory(bytes);
    this.#walk = MODULE.instantiate("walk", memory)("walk", isWalkExport);
    this.#offsets = { roots, records, row, out };
    this.#row = new Float64Array(memory.buffer, row, columns);
    this.stops = new Int32Array(memory.buffer, out, trees);
    this.walkedTrees = trees - (trees % 4);
    this.nodeOf = new Int32Array(nodes);
    this.#layOut(model, new Int32Array(memory.buffer, records, 4 * nodes), new Float64Array(memory.buffer, records, 2 * nodes), new Int32Array(memory.buffer, roots, trees));
  }

  /** Record r: words[4r] (column and flags), words[4r + 1] (right child), thresholds[2r + 1]. */
  #layOut(model: TreeEnsemble, words: Int32Array, thresholds: Float64Array, roots: Int32Array): void {
    const recordOf = new Int32Array(model.feature.length);
    let next = 0;
    for (let t = 0; t < roots.length; t++) {
      roots[t] = next;
      const stack = [model.treeRoots[t]];
      const rightOf: Array<{ readonly record: number; readonly node: number }> = [];
      for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
        const record = next++;
        this.nodeOf[record] = node;
        recordOf[node] = record;
        if (model.feature[node] >= 0 && model.catBitset[node] < 0) {
          words[4 * record] = STEP | (model.missingLeft[node] === 1 ? MISSING_LEFT : 0) | model.feature[node];
          thresholds[2 * record + 1] = model.threshold[node];
          rightOf.push({ record, node: model.right[node] });
          // the left child is popped next: it gets the next record
          stack.push(model.right[node], model.left[node]);
        } else {
          words[4 * record] = 0;
          words[4 * record + 1] = record;
          thresholds[2 * record + 1] = NaN;
        }
      }
      // a right child's record is known once its left sibling's subtree is numbered
      for (const { record, node } of rightOf) words[4 * record + 1] = recordOf[node];
    }
  }

  /** Walks the first `walkedTrees` trees for the row data[rowOffset ...]; read `stops` after it. */
  walk(data: ArrayLike<number>, rowOffset: number): void {
    const row = this.#row;
    if ((data instanceof Float64Array || data instanceof Float32Array) && data.length >= rowOffset + row.length) {
      row.set(rowOffset === 0 && data.length === row.length ? data : data.subarray(rowOffset, rowOffset + row.length));
    } else {
      for (let j = 0; j < row.length; j++) row[j] = data[rowOffset + j];
    }
    const o = this.#offsets;
    this.#walk(o.roots, this.walkedTrees, o.records, o.row, o.out);
  }
}
