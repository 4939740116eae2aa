// Proves the reader decodes every real torch.save file in shared/fixtures/pt as its README says
// (sums, first and last values cross-checked with torch 2.15's own torch.load).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { readPt, readPtBuffer, type PtTensor, type PtValue } from "../../src/io/pt/index.js";
import { assertClose, get, numbers, ptFixture, rejectsWith, tensorAt } from "./pt-helpers.js";

async function root(name: string): Promise<PtValue> {
  return (await readPt(ptFixture(name))).root;
}

function sum(t: PtTensor): number {
  return numbers(t).reduce((a, b) => a + b, 0);
}

/** dtype, shape, row-major strides and the data's typed-array class. */
function assertTensor(t: PtTensor, dtype: string, shape: number[], dataClass: string): void {
  assert.equal(t.dtype, dtype);
  assert.deepEqual(t.shape, shape);
  assert.equal(t.data.constructor.name, dataClass);
  assert.equal(t.data.length, shape.reduce((a, b) => a * b, 1));
}

/** sum, first and last element as torch.load reports them. */
function assertTorchSummary(t: PtTensor, expectedSum: number, first: number, last: number): void {
  assertClose([sum(t)], [expectedSum], 1e-6);
  const values = numbers(t);
  assertClose([values[0] ?? NaN, values[values.length - 1] ?? NaN], [first, last], 1e-7);
}

test("float32.pt: [4] = 1, 2.5, -3.7, 0", async () => {
  const pt = await readPt(ptFixture("float32.pt"));
  assert.equal(pt.format, "zip");
  assert.equal(pt.archiveName, "float32");
  assert.equal(pt.byteOrder, "little");
  const t = tensorAt(pt.root, "tensor");
  assertTensor(t, "float32", [4], "Float32Array");
  assert.deepEqual(numbers(t), [1, 2.5, Math.fround(-3.7), 0]);
  assert.deepEqual(t.strides, [1]);
  assert.equal(t.requiresGrad, false);
  assert.equal(t.parameter, false);
});

test("float64.pt: [3] = 1.1, 2.2, 3.3 exactly", async () => {
  const t = tensorAt(await root("float64.pt"), "tensor");
  assertTensor(t, "float64", [3], "Float64Array");
  assert.deepEqual(numbers(t), [1.1, 2.2, 3.3]);
});

test("float16.pt: [3] = 1.5, -2.25, 3.125 widened to float32", async () => {
  const t = tensorAt(await root("float16.pt"), "tensor");
  assertTensor(t, "float16", [3], "Float32Array");
  assert.deepEqual(numbers(t), [1.5, -2.25, 3.125]);
});

test("bfloat16.pt: [3] = 1.5, -2.5, 3.5 widened to float32", async () => {
  const t = tensorAt(await root("bfloat16.pt"), "tensor");
  assertTensor(t, "bfloat16", [3], "Float32Array");
  assert.deepEqual(numbers(t), [1.5, -2.5, 3.5]);
});

test("integer fixtures: int64, int32, int16, int8, uint8 values and array types", async () => {
  const cases: [string, string, string, number[]][] = [
    ["int64.pt", "int64", "BigInt64Array", [100, -200, 300, 0]],
    ["int32.pt", "int32", "Int32Array", [10, 20, -30]],
    ["int16.pt", "int16", "Int16Array", [1000, -2000, 3000]],
    ["int8.pt", "int8", "Int8Array", [127, -128, 0, 50]],
    ["uint8.pt", "uint8", "Uint8Array", [0, 128, 255, 42]],
  ];
  for (const [file, dtype, dataClass, values] of cases) {
    const t = tensorAt(await root(file), "tensor");
    assertTensor(t, dtype, [values.length], dataClass);
    assert.deepEqual(numbers(t), values, file);
  }
  const int64 = tensorAt(await root("int64.pt"), "tensor");
  assert.ok(int64.dtype === "int64" && int64.data[1] === -200n);
});

test("bool.pt: [5] = T, F, T, T, F as 1/0 bytes", async () => {
  const t = tensorAt(await root("bool.pt"), "tensor");
  assertTensor(t, "bool", [5], "Uint8Array");
  assert.deepEqual(numbers(t), [1, 0, 1, 1, 0]);
});

test("tensor_2d.pt: [3,2] = [[1,2],[3,4],[5,6]] row-major", async () => {
  const t = tensorAt(await root("tensor_2d.pt"), "tensor");
  assertTensor(t, "float32", [3, 2], "Float32Array");
  assert.deepEqual(t.strides, [2, 1]);
  assert.deepEqual(numbers(t), [1, 2, 3, 4, 5, 6]);
});

test("tensor_3d.pt and tensor_4d.pt: shapes [2,3,4] and [2,3,2,2], values as torch reads them", async () => {
  const t3 = tensorAt(await root("tensor_3d.pt"), "tensor");
  assertTensor(t3, "float32", [2, 3, 4], "Float32Array");
  assert.deepEqual(t3.strides, [12, 4, 1]);
  assertTorchSummary(t3, -58.06537565588951, 19.269149780273438, 3.3089842796325684);
  const t4 = tensorAt(await root("tensor_4d.pt"), "tensor");
  assertTensor(t4, "float32", [2, 3, 2, 2], "Float32Array");
  assertTorchSummary(t4, 4.8652553409338, 0.03491166606545448, -0.7508036494255066);
});

test("state_dict.pt: weight [3,4], bias [3], running_mean zeros, running_var ones", async () => {
  const r = await root("state_dict.pt");
  assert.equal(r.kind, "dict");
  const weight = tensorAt(r, "weight");
  assertTensor(weight, "float32", [3, 4], "Float32Array");
  assertTorchSummary(weight, -1.6542674452066422, 0.4679030478000641, -1.0935109853744507);
  assertTensor(tensorAt(r, "bias"), "float32", [3], "Float32Array");
  assert.deepEqual(numbers(tensorAt(r, "running_mean")), [0, 0, 0]);
  assert.deepEqual(numbers(tensorAt(r, "running_var")), [1, 1, 1]);
});

test("nested_dict.pt: layer1.{weight [2,3], bias [2]}, layer2.{weight [4,2], bias [4]}", async () => {
  const r = await root("nested_dict.pt");
  assert.deepEqual(tensorAt(r, "layer1", "weight").shape, [2, 3]);
  assert.deepEqual(tensorAt(r, "layer1", "bias").shape, [2]);
  assert.deepEqual(tensorAt(r, "layer2", "weight").shape, [4, 2]);
  assert.deepEqual(tensorAt(r, "layer2", "bias").shape, [4]);
  assertTorchSummary(tensorAt(r, "layer2", "weight"), -4.627892196178436, 1.4111539125442505, -2.475163221359253);
});

test("checkpoint.pt: 4 model tensors, optimizer momentum [10,5], epoch 42 (int), loss 0.123 (float)", async () => {
  const r = await root("checkpoint.pt");
  const model = get(r, "model_state_dict");
  assert.ok(model.kind === "dict");
  assert.deepEqual(
    model.entries.map(([k]) => (k.kind === "string" ? k.value : "?")),
    ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"],
  );
  assert.deepEqual(tensorAt(model, "fc1.weight").shape, [10, 5]);
  assert.deepEqual(tensorAt(model, "fc2.weight").shape, [3, 10]);
  const momentum = tensorAt(r, "optimizer_state_dict", "state", "0", "momentum_buffer");
  assertTensor(momentum, "float32", [10, 5], "Float32Array");
  assertTorchSummary(momentum, -2.562764137983322, 0.9732940793037415, -0.7154958844184875);
  assert.deepEqual(get(r, "epoch"), { kind: "int", value: 42 });
  assert.deepEqual(get(r, "loss"), { kind: "float", value: 0.123 });
});

test("mixed_types.pt: float32 [1,2], int64 [100,200], bool [T,F], float64 [1.1,2.2]", async () => {
  const r = await root("mixed_types.pt");
  assert.deepEqual(numbers(tensorAt(r, "float32")), [1, 2]);
  assert.equal(tensorAt(r, "int64").dtype, "int64");
  assert.deepEqual(numbers(tensorAt(r, "int64")), [100, 200]);
  assert.deepEqual(numbers(tensorAt(r, "bool")), [1, 0]);
  assert.deepEqual(numbers(tensorAt(r, "float64")), [1.1, 2.2]);
});

test("buffers.pt: buffer1 int32 [1,2,3], buffer2 bool [T,F]", async () => {
  const r = await root("buffers.pt");
  assertTensor(tensorAt(r, "buffer1"), "int32", [3], "Int32Array");
  assert.deepEqual(numbers(tensorAt(r, "buffer1")), [1, 2, 3]);
  assertTensor(tensorAt(r, "buffer2"), "bool", [2], "Uint8Array");
  assert.deepEqual(numbers(tensorAt(r, "buffer2")), [1, 0]);
});

test("complex_structure.pt: metadata, nested state tensors, config ints", async () => {
  const r = await root("complex_structure.pt");
  assert.deepEqual(get(r, "metadata", "version"), { kind: "int", value: 1 });
  assert.deepEqual(get(r, "metadata", "name"), { kind: "string", value: "test_model" });
  assert.deepEqual(tensorAt(r, "state", "encoder", "layer_0", "weight").shape, [4, 3]);
  assert.deepEqual(tensorAt(r, "state", "encoder", "layer_1", "weight").shape, [2, 4]);
  assert.deepEqual(tensorAt(r, "state", "decoder", "weight").shape, [3, 2]);
  assertTorchSummary(tensorAt(r, "state", "decoder", "bias"), 1.1558610498905182, -1.0023829936981201, 1.7130820751190186);
  assert.deepEqual(get(r, "config", "hidden_size"), { kind: "int", value: 4 });
  assert.deepEqual(get(r, "config", "num_layers"), { kind: "int", value: 2 });
});

test("empty.pt: float32 [0] with no data", async () => {
  const t = tensorAt(await root("empty.pt"), "tensor");
  assertTensor(t, "float32", [0], "Float32Array");
  assert.equal(t.data.length, 0);
});

test("scalar.pt: a 0-dim float32 = 42", async () => {
  const t = tensorAt(await root("scalar.pt"), "tensor");
  assertTensor(t, "float32", [], "Float32Array");
  assert.deepEqual(t.strides, []);
  assert.deepEqual(numbers(t), [42]);
});

test("large_shape.pt: [100,100] zeros except [0,0]=1, [50,50]=2, [99,99]=3", async () => {
  const t = tensorAt(await root("large_shape.pt"), "tensor");
  assertTensor(t, "float32", [100, 100], "Float32Array");
  const values = numbers(t);
  assert.equal(values[0], 1);
  assert.equal(values[50 * 100 + 50], 2);
  assert.equal(values[99 * 100 + 99], 3);
  assert.equal(values.filter((v) => v !== 0).length, 3);
});

test("special_values.pt: NaN, +Inf, -Inf, 0, 1", async () => {
  const values = numbers(tensorAt(await root("special_values.pt"), "tensor"));
  assert.ok(Number.isNaN(values[0]));
  assert.deepEqual(values.slice(1), [Infinity, -Infinity, 0, 1]);
});

test("extreme_values.pt: ±1e-30 and ±1e30 as float32", async () => {
  const values = numbers(tensorAt(await root("extreme_values.pt"), "tensor"));
  assert.deepEqual(values, [1e-30, 1e30, -1e-30, -1e30].map(Math.fround));
});

test("parameter.pt: an nn.Parameter float32 [3,3] with requires_grad", async () => {
  const t = tensorAt(await root("parameter.pt"), "param");
  assertTensor(t, "float32", [3, 3], "Float32Array");
  assert.equal(t.parameter, true);
  assert.equal(t.requiresGrad, true);
  assertTorchSummary(t, -2.157990664243698, 1.024911880493164, -0.8965914845466614);
});

test("simple_legacy.pt (legacy format): weight [2,3], bias ones, running_mean zeros", async () => {
  const pt = await readPt(ptFixture("simple_legacy.pt"));
  assert.equal(pt.format, "legacy");
  assert.deepEqual(tensorAt(pt.root, "weight").shape, [2, 3]);
  assertTorchSummary(tensorAt(pt.root, "weight"), -1.9225399494171143, -1.8129550218582153, 2.087892770767212);
  assert.deepEqual(numbers(tensorAt(pt.root, "bias")), [1, 1]);
  assert.deepEqual(numbers(tensorAt(pt.root, "running_mean")), [0, 0]);
});

test("legacy_uncloned_views.pt: elements 10..19 and 50..59 of arange(100), one shared storage", async () => {
  const r = await root("legacy_uncloned_views.pt");
  const a = tensorAt(r, "tensor1");
  const b = tensorAt(r, "tensor2");
  assert.equal(a.storageOffset, 10);
  assert.equal(b.storageOffset, 50);
  assert.deepEqual(numbers(a), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assert.deepEqual(numbers(b), [50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
});

test("legacy_with_offsets.pt: three views as torch reads them", async () => {
  const r = await root("legacy_with_offsets.pt");
  assertTorchSummary(tensorAt(r, "tensor1"), 10.449999809265137, 1.0, 1.090000033378601);
  assertTorchSummary(tensorAt(r, "tensor2"), 11.0, 2.0, 2.4000000953674316);
  assertTorchSummary(tensorAt(r, "tensor3"), 16.0, 3.0, 3.4000000953674316);
});

test("legacy_shared_storage.pt: view1 [10], view2 [20], view3 [10] as torch reads them", async () => {
  const r = await root("legacy_shared_storage.pt");
  assertTorchSummary(tensorAt(r, "view1"), 2.1745833680033684, 1.0439505577087402, -0.3219364881515503);
  assertTorchSummary(tensorAt(r, "view2"), -0.007532984018325806, 0.5303624272346497, 0.9274455308914185);
  assertTorchSummary(tensorAt(r, "view3"), 0.3301862869411707, 0.153853639960289, -0.9001213312149048);
});

test("broken.pt ('abc') is refused as not a torch file, naming the file and its first bytes", async () => {
  await rejectsWith(readPt(ptFixture("broken.pt")), "VIR_PT_NOT_TORCH", /broken\.pt/, /61 62 63/);
});

test("readPtBuffer reads the same values from memory as readPt from disk", async () => {
  const bytes = await readFile(ptFixture("checkpoint.pt"));
  const fromBuffer = await readPtBuffer(bytes, "checkpoint.pt");
  const fromFile = await readPt(ptFixture("checkpoint.pt"));
  assert.deepEqual(
    numbers(tensorAt(fromBuffer.root, "model_state_dict", "fc1.weight")),
    numbers(tensorAt(fromFile.root, "model_state_dict", "fc1.weight")),
  );
});

test("a missing file is a VIR_PT_UNREADABLE naming the path", async () => {
  await rejectsWith(readPt(ptFixture("no-such-file.pt")), "VIR_PT_UNREADABLE", /no-such-file\.pt/);
  await rejectsWith(readPt(ptFixture("")), "VIR_PT_UNREADABLE", /not a regular file/);
});
