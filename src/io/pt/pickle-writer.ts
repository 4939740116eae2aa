/**
 * Emits the protocol-2 pickle opcodes torch.save uses, for writing .pt files. Only what writers in this
 * project need: dicts, lists, tuples, strings, ints, bools, globals, calls and persistent ids.
 */
export class PickleWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private static readonly encoder = new TextEncoder();

  constructor() {
    this.op(0x80, 2); // PROTO 2
  }

  private op(...bytes: number[]): this {
    return this.raw(Uint8Array.from(bytes));
  }

  private raw(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }

  mark(): this {
    return this.op(0x28);
  }
  emptyDict(): this {
    return this.op(0x7d);
  }
  emptyList(): this {
    return this.op(0x5d);
  }
  emptyTuple(): this {
    return this.op(0x29);
  }
  /** TUPLE: the items since the last mark. */
  tuple(): this {
    return this.op(0x74);
  }
  tuple2(): this {
    return this.op(0x86);
  }
  appends(): this {
    return this.op(0x65);
  }
  setItems(): this {
    return this.op(0x75);
  }
  reduce(): this {
    return this.op(0x52);
  }
  binPersId(): this {
    return this.op(0x51);
  }
  bool(value: boolean): this {
    return this.op(value ? 0x88 : 0x89);
  }
  stop(): this {
    return this.op(0x2e);
  }

  global(module: string, name: string): this {
    this.op(0x63);
    return this.raw(PickleWriter.encoder.encode(`${module}\n${name}\n`));
  }

  string(value: string): this {
    const utf8 = PickleWriter.encoder.encode(value);
    const header = new Uint8Array(5);
    header[0] = 0x58; // BINUNICODE
    new DataView(header.buffer).setUint32(1, utf8.length, true);
    return this.raw(header).raw(utf8);
  }

  /** The smallest int opcode for a non-negative integer (BININT1/2, BININT, else LONG1). */
  int(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`PickleWriter.int takes a non-negative safe integer, got ${value}`);
    if (value < 0x100) return this.op(0x4b, value);
    if (value < 0x10000) return this.op(0x4d, value & 0xff, value >>> 8);
    if (value < 0x80000000) {
      const bytes = new Uint8Array(5);
      bytes[0] = 0x4a;
      new DataView(bytes.buffer).setInt32(1, value, true);
      return this.raw(bytes);
    }
    const digits: number[] = [];
    for (let v = BigInt(value); v > 0n; v >>= 8n) digits.push(Number(v & 0xffn));
    if ((digits[digits.length - 1] ?? 0) & 0x80) digits.push(0);
    return this.op(0x8a, digits.length, ...digits);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
