/**
 * Grows one regression tree on the gradients, best-first (leaf-wise), as sklearn's TreeGrower:
 *  - the splittable node with the largest gain is split next (a max-heap; equal gains go in
 *    insertion order);
 *  - a child with fewer than 2 × minSamplesLeaf samples becomes a leaf at once;
 *  - reaching maxLeafNodes turns every remaining splittable node into a leaf; reaching maxDepth
 *    turns the new children into leaves;
 *  - histograms: the smaller child is built from its samples, the larger one is the parent minus
 *    the smaller (done in the parent's memory, which the larger child inherits);
 *  - when the split feature had no missing values at fit time, missing values at predict time go
 *    to the child that received more samples;
 *  - leaf value = −G / (N + l2 + 1e-15) × learning rate; a root that is never split is worth 0.
 */
import type { SplitExecutor } from "./parallel.js";
import { nodeValue, partitionNode, SplitRecord } from "./splitter.js";

export interface GrowerNode {
  readonly depth: number;
  /** The node's samples are partition[start, start + count). */
  readonly start: number;
  readonly count: number;
  readonly sumGrad: number;
  /** Unshrunk value (sklearn's node value); for a finalized leaf, the shrunk value. */
  value: number;
  slot: number;
  split: SplitRecord | null;
  left: GrowerNode | null;
  right: GrowerNode | null;
  isLeaf: boolean;
  /** Insertion order, for heap ties. */
  order: number;
}

export interface GrowerSettings {
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  readonly learningRate: number;
  readonly missingBin: number;
}

export interface GrownTree {
  readonly root: GrowerNode;
  readonly leaves: readonly GrowerNode[];
}

/** Max-heap of nodes by split gain; ties: the node pushed first comes out first. */
class NodeHeap {
  private readonly items: GrowerNode[] = [];

  get size(): number {
    return this.items.length;
  }

  private before(a: GrowerNode, b: GrowerNode): boolean {
    const ga = a.split === null ? -1 : a.split.gain;
    const gb = b.split === null ? -1 : b.split.gain;
    return ga > gb || (ga === gb && a.order < b.order);
  }

  push(node: GrowerNode): void {
    const items = this.items;
    items.push(node);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): GrowerNode | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l], items[best])) best = l;
        if (r < items.length && this.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }

  drain(): GrowerNode[] {
    return this.items.splice(0, this.items.length);
  }
}

export class TreeGrower {
  private readonly heap = new NodeHeap();
  private readonly leaves: GrowerNode[] = [];
  private readonly scratch: Uint32Array;
  private order = 0;
  /** The root's per-bin counts are computed by the first root build of the fit, then reused. */
  private rootCountsReady = false;

  constructor(
    private readonly executor: SplitExecutor,
    private readonly settings: GrowerSettings,
  ) {
    this.scratch = new Uint32Array(executor.state.nSamples);
  }

  /** Grows a tree on the current gradients (state.gradients); resets state.partition. */
  grow(): GrownTree {
    const state = this.executor.state;
    const n = state.nSamples;
    const partition = state.partition;
    for (let i = 0; i < n; i++) partition[i] = i;
    const gradients = state.gradients;
    let sumGrad = 0;
    for (let i = 0; i < n; i++) sumGrad += gradients[i];
    this.leaves.length = 0;
    this.order = 0;

    const root = this.newNode(0, 0, n, sumGrad, 0);
    if (n < 2 * this.settings.minSamplesLeaf) {
      this.finalize(root);
    } else {
      root.slot = this.executor.allocSlot();
      const best = this.executor.runRoot(root.slot, root, !this.rootCountsReady);
      this.rootCountsReady = true;
      this.pushOrFinalize(root, best);
    }
    for (let node = this.heap.pop(); node !== undefined; node = this.heap.pop()) this.splitNode(node);

    const lr = this.settings.learningRate;
    for (const leaf of this.leaves) leaf.value *= lr;
    return { root, leaves: this.leaves.slice() };
  }

  private newNode(depth: number, start: number, count: number, sumGrad: number, value: number): GrowerNode {
    return { depth, start, count, sumGrad, value, slot: -1, split: null, left: null, right: null, isLeaf: false, order: 0 };
  }

  private finalize(node: GrowerNode): void {
    node.isLeaf = true;
    this.executor.freeSlot(node.slot);
    node.slot = -1;
    this.leaves.push(node);
  }

  private pushOrFinalize(node: GrowerNode, best: SplitRecord): void {
    if (best.gain <= 0) {
      this.finalize(node);
      return;
    }
    const split = new SplitRecord();
    split.copyFrom(best);
    node.split = split;
    node.order = this.order++;
    this.heap.push(node);
  }

  private splitNode(node: GrowerNode): void {
    const { executor, settings } = this;
    const state = executor.state;
    const split = node.split;
    if (split === null) throw new Error("splitNode: node without a split");
    const nLeft = partitionNode(
      state.partition,
      node.start,
      node.count,
      state.bins,
      state.nSamples,
      split,
      settings.missingBin,
      this.scratch,
    );
    const nRight = node.count - nLeft;
    const gl = split.sumGradLeft;
    const gr = node.sumGrad - gl;
    const l2 = settings.l2Regularization;
    const depth = node.depth + 1;
    const left = this.newNode(depth, node.start, nLeft, gl, nodeValue(gl, nLeft, l2));
    const right = this.newNode(depth, node.start + nLeft, nRight, gr, nodeValue(gr, nRight, l2));
    node.left = left;
    node.right = right;
    if (state.hasMissing[split.feature] === 0) split.missingLeft = nLeft > nRight ? 1 : 0;

    const nLeafNodes = this.leaves.length + this.heap.size + 2;
    const parentSlot = node.slot;
    node.slot = -1;
    if (settings.maxLeafNodes !== null && nLeafNodes === settings.maxLeafNodes) {
      executor.freeSlot(parentSlot);
      this.finalize(left);
      this.finalize(right);
      for (const pending of this.heap.drain()) this.finalize(pending);
      return;
    }
    if (settings.maxDepth !== null && depth === settings.maxDepth) {
      executor.freeSlot(parentSlot);
      this.finalize(left);
      this.finalize(right);
      return;
    }
    const msl2 = 2 * settings.minSamplesLeaf;
    if (left.count < msl2) this.finalize(left);
    if (right.count < msl2) this.finalize(right);
    if (left.isLeaf && right.isLeaf) {
      executor.freeSlot(parentSlot);
      return;
    }
    const [small, large] = left.count < right.count ? [left, right] : [right, left];
    const smallSlot = executor.allocSlot();
    const [bestSmall, bestLarge] = executor.runChildren({
      parentSlot,
      smallSlot,
      smallStart: small.start,
      small,
      large,
      splitSmall: !small.isLeaf,
      splitLarge: !large.isLeaf,
      largeNeeded: !large.isLeaf,
    });
    if (small.isLeaf) executor.freeSlot(smallSlot);
    else small.slot = smallSlot;
    if (large.isLeaf) executor.freeSlot(parentSlot);
    else large.slot = parentSlot;
    // sklearn evaluates (and pushes) the left child first.
    for (const child of [left, right]) {
      if (child.isLeaf) continue;
      this.pushOrFinalize(child, child === small ? bestSmall : bestLarge);
    }
  }
}
