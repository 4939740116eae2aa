// Pins kafkajs' record encoding as patched by deploy/patches (applied by `npm ci`'s postinstall): varints
// written in place, small varlongs without Long objects, each record's buffer sized to the record. The
// bytes must be the protocol's (zigzag, then LEB128: the Kafka record format), which a reference written
// here from the format computes independently, and kafkajs' own decoder must read the records back.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const ENCODER_MODULE = "kafkajs/src/protocol/encoder.js";
const RECORD_MODULE = "kafkajs/src/protocol/recordBatch/record/v0/index.js";
const RECORD_DECODER_MODULE = "kafkajs/src/protocol/recordBatch/record/v0/decoder.js";
const DECODER_MODULE = "kafkajs/src/protocol/decoder.js";

interface EncoderInstance {
  writeVarInt(value: number): EncoderInstance;
  writeUVarInt(value: number): EncoderInstance;
  writeVarLong(value: number | string): EncoderInstance;
  writeInt32(value: number): EncoderInstance;
  readonly buffer: Buffer;
}
interface EncoderClass {
  new (initialSize?: number): EncoderInstance;
  sizeOfVarLong(value: number | string): number;
}
interface RecordInput {
  readonly offsetDelta: number;
  readonly timestampDelta: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, string | string[]>;
}
interface DecodedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[]>;
}

function isConstructor(value: unknown): value is EncoderClass {
  return typeof value === "function" && "sizeOfVarLong" in value;
}
function isFunction<T>(value: unknown): value is T {
  return typeof value === "function";
}

function loaded<T>(module: string, guard: (value: unknown) => value is T): T {
  const value: unknown = require(module);
  if (!guard(value)) throw new Error(`${module} does not export what kafkajs 2.2.4 does`);
  return value;
}

const Encoder = loaded(ENCODER_MODULE, isConstructor);
const Record = loaded(RECORD_MODULE, isFunction<(input: RecordInput) => EncoderInstance>);
interface DecoderInstance {
  readVarInt(): number;
  readonly offset: number;
}
const decodeRecord = loaded(RECORD_DECODER_MODULE, isFunction<(decoder: DecoderInstance, batchContext: object) => DecodedRecord>);
const Decoder = loaded(DECODER_MODULE, isFunction<new (buffer: Buffer) => DecoderInstance>);

/** Unsigned LEB128: seven bits a byte, low first, the high bit set on every byte but the last. */
function leb128(value: bigint): Buffer {
  let n = value;
  const bytes: number[] = [];
  while (n >= 0x80n) {
    bytes.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  bytes.push(Number(n));
  return Buffer.from(bytes);
}

/** Zigzag (64-bit) then unsigned LEB128, from the format's definition. */
function referenceVarLong(value: bigint): Buffer {
  return leb128(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
}

const EDGES = [0, 1, -1, 63, -64, 64, -65, 127, 128, 300, -300, 2 ** 20, 2 ** 29, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];

function seededIntegers(count: number): number[] {
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, () => Math.trunc((next() - 0.5) * 2 ** Math.floor(next() * 53)));
}

test("the installed kafkajs writes varints in place (deploy/patches applied by npm ci's postinstall)", () => {
  const source = readFileSync(require.resolve(ENCODER_MODULE), "utf8");
  const body = /\n  writeUVarInt\(value\) \{([\s\S]*?)\n  \}/.exec(source)?.[1];
  assert.ok(body !== undefined, `${ENCODER_MODULE} has no writeUVarInt`);
  assert.ok(!body.includes("Buffer.from"), `${ENCODER_MODULE} still allocates an array and a Buffer per varint: run \`npm ci\` (its postinstall applies deploy/patches)`);
});

test("varints and varlongs are the protocol's bytes, on both sides of the small-value path", () => {
  for (const value of [...EDGES, ...seededIntegers(5_000)]) {
    const expected = referenceVarLong(BigInt(value));
    assert.deepEqual(new Encoder().writeVarLong(value).buffer, expected, `varlong ${value}`);
    assert.equal(Encoder.sizeOfVarLong(value), expected.length, `size of varlong ${value}`);
    if (value >= -(2 ** 31) && value < 2 ** 31) assert.deepEqual(new Encoder().writeVarInt(value).buffer, expected, `varint ${value}`);
  }
  // kafkajs also takes varlongs as decimal strings (through its Long): the same bytes
  assert.deepEqual(new Encoder().writeVarLong("-9999999999").buffer, referenceVarLong(-9999999999n));
  // an encoder grows past its initial size without losing what it holds
  const grown = new Encoder(1);
  const expected: Buffer[] = [];
  for (let i = 0; i < 2_000; i++) {
    grown.writeUVarInt(i * 977).writeInt32(i);
    const int32 = Buffer.alloc(4);
    int32.writeInt32BE(i);
    expected.push(leb128(BigInt(i * 977)), int32);
  }
  assert.deepEqual(grown.buffer, Buffer.concat(expected));
});

test("records encode to exactly their size and decode back to what was encoded", () => {
  for (let i = 0; i < 500; i++) {
    const input: RecordInput = {
      offsetDelta: i,
      timestampDelta: i % 7 === 0 ? 2 ** 33 + i : i * 3,
      key: i % 5 === 0 ? null : Buffer.from(`video-${i}`),
      value: i % 11 === 0 ? null : Buffer.alloc(i % 700, i & 0xff),
      ...(i % 2 === 0 ? { headers: { source: "t", many: ["a", "b"] } } : {}),
    };
    const encoded = Record(input).buffer;
    const decoder = new Decoder(encoded);
    // the record's length prefix says how many bytes follow it: all of them
    assert.equal(decoder.readVarInt(), encoded.length - decoder.offset, `record ${i}'s length`);
    const decoded = decodeRecord(decoder, { firstOffset: "0", firstTimestamp: "0", magicByte: 2, isControlBatch: false });
    assert.equal(decoded.offset, String(i));
    assert.equal(decoded.timestamp, String(input.timestampDelta));
    assert.deepEqual(decoded.key, input.key);
    assert.deepEqual(decoded.value === null ? null : Buffer.from(decoded.value), input.value);
    if (input.headers !== undefined) assert.deepEqual(Object.keys(decoded.headers), ["source", "many"]);
  }
});
