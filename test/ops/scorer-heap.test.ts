// `virality score` sets its V8 heap flags unless the command line already chose one (src/ops/scorer-heap.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { scorerHeapFlags } from "../../src/ops/scorer-heap.js";

test("the scorer process gets a fixed heap growing factor and no pretenuring", () => {
  assert.deepEqual(scorerHeapFlags([]), ["--no-allocation-site-pretenuring", "--heap-growing-percent=200"]);
  assert.deepEqual(scorerHeapFlags(["--enable-source-maps", "--max-old-space-size=512"]), ["--no-allocation-site-pretenuring", "--heap-growing-percent=200"]);
});

test("a growing factor given on the command line wins, in either spelling", () => {
  for (const given of ["--heap-growing-percent=0", "--heap_growing_percent=50"]) {
    assert.deepEqual(scorerHeapFlags(["--trace-gc", given]), ["--no-allocation-site-pretenuring"], given);
  }
  // a flag that merely starts the same is not the same flag
  assert.deepEqual(scorerHeapFlags(["--heap-growing-percentage=5"]), ["--no-allocation-site-pretenuring", "--heap-growing-percent=200"]);
});
