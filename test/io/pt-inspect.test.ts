// Proves inspectPt (behind `virality pt inspect FILE`) describes dtypes and shapes as JSON-ready data,
// with values only when asked, and stays bounded on shared structures.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describePt, inspectPt, readPtBuffer, type InspectNode } from "../../src/io/pt/index.js";
import { archive, pickle, ptFixture, rejectsWith, str, torchZip } from "./pt-helpers.js";

function entry(node: InspectNode, key: string): InspectNode {
  if (node.type !== "dict") assert.fail(`expected a dict, got ${node.type}`);
  const found = node.entries.find((e) => e.key === key);
  if (found === undefined) assert.fail(`no key ${key}`);
  return found.value;
}

test("without values: dtype, shape, strides and numel, and no values", async () => {
  const result = await inspectPt(ptFixture("tensor_2d.pt"), { values: false });
  assert.equal(result.format, "zip");
  assert.equal(result.byteOrder, "little");
  assert.deepEqual(entry(result.root, "tensor"), {
    type: "tensor",
    dtype: "float32",
    shape: [3, 2],
    strides: [2, 1],
    storageOffset: 0,
    numel: 6,
    requiresGrad: false,
    parameter: false,
  });
});

test("with values: nested arrays in the tensor's shape", async () => {
  const result = await inspectPt(ptFixture("tensor_2d.pt"), { values: true });
  const tensor = entry(result.root, "tensor");
  assert.ok(tensor.type === "tensor");
  assert.deepEqual(tensor.values, [[1, 2], [3, 4], [5, 6]]);
  const scalar = entry((await inspectPt(ptFixture("scalar.pt"), { values: true })).root, "tensor");
  assert.ok(scalar.type === "tensor");
  assert.equal(scalar.values, 42);
});

test("values are JSON-ready: NaN/Infinity as strings, int64 as numbers, bool as booleans", async () => {
  const special = entry((await inspectPt(ptFixture("special_values.pt"), { values: true })).root, "tensor");
  assert.ok(special.type === "tensor");
  assert.deepEqual(special.values, ["NaN", "Infinity", "-Infinity", 0, 1]);
  const mixed = await inspectPt(ptFixture("mixed_types.pt"), { values: true });
  const int64 = entry(mixed.root, "int64");
  const bool = entry(mixed.root, "bool");
  assert.ok(int64.type === "tensor" && bool.type === "tensor");
  assert.deepEqual(int64.values, [100, 200]);
  assert.deepEqual(bool.values, [true, false]);
  assert.deepEqual(JSON.parse(JSON.stringify(mixed)), mixed, "survives JSON unchanged");
});

test("scalars, nested dicts and parameters are described", async () => {
  const checkpoint = await inspectPt(ptFixture("checkpoint.pt"), { values: false });
  assert.deepEqual(entry(checkpoint.root, "epoch"), { type: "int", value: 42 });
  assert.deepEqual(entry(checkpoint.root, "loss"), { type: "float", value: 0.123 });
  const momentum = entry(entry(entry(entry(checkpoint.root, "optimizer_state_dict"), "state"), "0"), "momentum_buffer");
  assert.ok(momentum.type === "tensor");
  assert.deepEqual(momentum.shape, [10, 5]);
  const parameter = entry((await inspectPt(ptFixture("parameter.pt"), { values: false })).root, "param");
  assert.ok(parameter.type === "tensor" && parameter.parameter && parameter.requiresGrad);
  const legacy = await inspectPt(ptFixture("simple_legacy.pt"), { values: false });
  assert.equal(legacy.format, "legacy");
});

test("a tensor with more elements than maxValues has its values left out, saying why", async () => {
  const result = await inspectPt(ptFixture("large_shape.pt"), { values: true, maxValues: 100 });
  const tensor = entry(result.root, "tensor");
  assert.ok(tensor.type === "tensor");
  assert.equal(tensor.values, undefined);
  assert.match(tensor.valuesOmitted ?? "", /10000 elements, more than maxValues 100/);
});

test("bytes are shown as length and base64; bad files give the reader's typed error", async () => {
  const pt = await readPtBuffer(await torchZip(archive(pickle(0x80, 3, 0x7d, str("b"), 0x43, 3, "abc", 0x73, 0x2e))), "bytes.pt");
  assert.deepEqual(entry(describePt(pt.root, "bytes.pt", { values: true }), "b"), { type: "bytes", length: 3, base64: "YWJj" });
  await rejectsWith(inspectPt(ptFixture("broken.pt"), { values: false }), "VIR_PT_NOT_TORCH", /broken\.pt/);
});

test("a shared structure that would expand past maxNodes is a VIR_PT_LIMIT", async () => {
  // x0 = []; x(i+1) = (x(i), x(i)): 2^30 nodes if written out in full.
  const parts: (number | Uint8Array)[] = [0x80, 2, 0x5d, 0x71, 0];
  for (let i = 1; i <= 30; i++) parts.push(0x68, i - 1, 0x68, i - 1, 0x86, 0x71, i);
  parts.push(0x2e);
  const pt = await readPtBuffer(await torchZip(archive(pickle(...parts))), "dag.pt");
  assert.throws(() => describePt(pt.root, "dag.pt", { values: false, maxNodes: 10_000 }), /dag\.pt: the description would have more than 10000 nodes/);
});
