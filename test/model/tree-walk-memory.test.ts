// Pins that predicting never grows a WebAssembly memory: growing one detaches its old ArrayBuffer, and
// after one detached ArrayBuffer V8 adds a check to every typed-array access of the process (the
// trainer's split scans ran ~30 % slower after the first prediction, bench/README.md session 14).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TreeEnsemble } from "../../src/model/trees.js";
import { predictTreesRow } from "../../src/model/trees.js";

/** Four stumps on the last of `nFeatures` columns: a row this wide needs several 64 kB pages. */
function wideStumps(nFeatures: number): TreeEnsemble {
  const last = nFeatures - 1;
  return {
    nFeatures,
    baseline: 1,
    treeRoots: Int32Array.of(0, 3, 6, 9),
    feature: Int32Array.of(last, -1, -1, last, -1, -1, last, -1, -1, last, -1, -1),
    threshold: Float64Array.of(0.5, 0, 0, 0.5, 0, 0, 0.5, 0, 0, 0.5, 0, 0),
    missingLeft: Uint8Array.of(1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0),
    catBitset: new Int32Array(12).fill(-1),
    left: Int32Array.of(1, -1, -1, 4, -1, -1, 7, -1, -1, 10, -1, -1),
    right: Int32Array.of(2, -1, -1, 5, -1, -1, 8, -1, -1, 11, -1, -1),
    value: Float64Array.of(0, 1, 2, 0, 10, 20, 0, 100, 200, 0, 1000, 2000),
    bitsets: new Uint32Array(0),
  };
}

test("predicting never grows a WebAssembly memory (that would detach an ArrayBuffer)", () => {
  const grow = WebAssembly.Memory.prototype.grow;
  let grown = 0;
  WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, pages: number): number {
    grown++;
    return grow.call(this, pages);
  };
  try {
    const model = wideStumps(20_000);
    const row = new Float64Array(model.nFeatures);
    row[model.nFeatures - 1] = 0.7;
    assert.equal(predictTreesRow(model, row), 1 + 2 + 20 + 200 + 2000);
    row[model.nFeatures - 1] = Number.NaN;
    assert.equal(predictTreesRow(model, row), 1 + 1 + 10 + 100 + 1000);
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
  assert.equal(grown, 0, "a prediction grew a WebAssembly memory");
});
