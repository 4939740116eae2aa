import { callGlobal, resolveGlobal } from "./globals.js";
import { dictKey } from "./pickle-keys.js";
import { FALSE, NONE, TRUE, pyInt, aTypeName, typeName, type Pv, type PvDict, type PvList, type PvStr } from "./pickle-values.js";
import { vmError, type VmPlace } from "./vm-place.js";

/**
 * A pickle VM for what torch.save writes: every data opcode of protocols 0–5, globals only from the
 * allowlist (globals.ts), persistent ids handed to the caller (they name storages). It allocates at
 * most a constant per input byte: every length is checked against the bytes left before it is used.
 */

export interface PickleRun {
  readonly file: string;
  /** Names the pickle in messages (`archive/data.pkl`, `legacy main pickle`). */
  readonly record: string;
  readonly bytes: Uint8Array;
  /** Where to start (a legacy file holds several pickles one after the other). */
  readonly start: number;
  readonly maxElements: number;
  /** Turns a persistent id (PERSID / BINPERSID) into a value: a storage for torch files. */
  readonly persistentLoad: (pid: Pv, place: VmPlace) => Pv;
}

export interface PickleResult {
  readonly value: Pv;
  /** The offset just past STOP. */
  readonly end: number;
}

const HIGHEST_PROTOCOL = 5;

/** Python's one-character backslash escapes, by the byte after the backslash. */
const SIMPLE_ESCAPES: ReadonlyMap<number, number> = new Map([
  [0x5c, 0x5c],
  [0x27, 0x27],
  [0x22, 0x22],
  [0x6e, 0x0a],
  [0x74, 0x09],
  [0x72, 0x0d],
  [0x61, 0x07],
  [0x62, 0x08],
  [0x66, 0x0c],
  [0x76, 0x0b],
]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function runPickle(run: PickleRun): PickleResult {
  return new PickleVm(run).run();
}

class PickleVm {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** The same bytes as a Buffer, for decoding ASCII without copying. */
  private readonly text: Buffer;
  private pos: number;
  private opStart = 0;
  private readonly stack: Pv[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, Pv>();

  constructor(private readonly job: PickleRun) {
    this.bytes = job.bytes;
    this.view = new DataView(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    this.text = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    this.pos = job.start;
  }

  private get place(): VmPlace {
    return { file: this.job.file, record: this.job.record, offset: this.opStart, maxElements: this.job.maxElements };
  }

  private corrupt(message: string): Error {
    return vmError("VIR_PT_CORRUPT", this.place, message);
  }

  private unsupported(message: string): Error {
    return vmError("VIR_PT_UNSUPPORTED", this.place, message);
  }

  run(): PickleResult {
    const bytes = this.bytes;
    while (this.pos < bytes.length) {
      this.opStart = this.pos;
      const op = bytes[this.pos++];
      if (op === 0x2e) {
        // STOP
        return { value: this.pop(), end: this.pos };
      }
      this.step(op);
    }
    throw vmError("VIR_PT_CORRUPT", { ...this.place, offset: this.pos }, "the pickle ends without a STOP opcode: the file is truncated");
  }

  private step(op: number): void {
    switch (op) {
      // ---- stack and marks
      case 0x28: // MARK
        this.marks.push(this.stack.length);
        return;
      case 0x30: // POP
        if (this.stack.length > this.markBase()) this.stack.pop();
        else this.popMark();
        return;
      case 0x31: // POP_MARK
        this.popMark();
        return;
      case 0x32: // DUP
        this.stack.push(this.top());
        return;
      case 0x80: {
        // PROTO
        const version = this.u8();
        if (version > HIGHEST_PROTOCOL) throw this.unsupported(`pickle protocol ${version} is newer than ${HIGHEST_PROTOCOL}`);
        return;
      }
      case 0x95: // FRAME: a length hint only
        this.take(8);
        return;

      // ---- constants
      case 0x4e: // NONE
        this.stack.push(NONE);
        return;
      case 0x88: // NEWTRUE
        this.stack.push(TRUE);
        return;
      case 0x89: // NEWFALSE
        this.stack.push(FALSE);
        return;
      case 0x49: // INT (text)
        this.stack.push(this.textInt());
        return;
      case 0x4a: // BININT
        this.stack.push({ t: "int", v: this.view.getInt32(this.take(4), true) });
        return;
      case 0x4b: // BININT1
        this.stack.push({ t: "int", v: this.u8() });
        return;
      case 0x4d: // BININT2
        this.stack.push({ t: "int", v: this.view.getUint16(this.take(2), true) });
        return;
      case 0x4c: {
        // LONG (text, "123L")
        const line = this.line();
        this.stack.push(pyInt(this.parseBigInt(line.endsWith("L") ? line.slice(0, -1) : line)));
        return;
      }
      case 0x8a: // LONG1
        this.stack.push(this.binaryLong(this.u8()));
        return;
      case 0x8b: // LONG4
        this.stack.push(this.binaryLong(this.length32Signed()));
        return;
      case 0x46: // FLOAT (text)
        this.stack.push({ t: "float", v: this.textFloat(this.line()) });
        return;
      case 0x47: // BINFLOAT (big-endian double)
        this.stack.push({ t: "float", v: this.view.getFloat64(this.take(8), false) });
        return;

      // ---- strings and bytes
      case 0x58: // BINUNICODE
        this.stack.push(this.str(this.view.getUint32(this.take(4), true)));
        return;
      case 0x8c: // SHORT_BINUNICODE
        this.stack.push(this.str(this.u8()));
        return;
      case 0x8d: // BINUNICODE8
        this.stack.push(this.str(this.length64()));
        return;
      case 0x56: // UNICODE (raw-unicode-escape text)
        this.stack.push({ t: "str", v: rawUnicodeEscape(this.lineBytes()) });
        return;
      case 0x53: // STRING (quoted repr, a Python 2 str decoded as UTF-8 as torch.load does)
        this.stack.push(this.decodeStr(this.quotedString(this.lineBytes())));
        return;
      case 0x54: // BINSTRING
        this.stack.push(this.str(this.length32Signed()));
        return;
      case 0x55: // SHORT_BINSTRING
        this.stack.push(this.str(this.u8()));
        return;
      case 0x42: // BINBYTES
        this.stack.push(this.bytesValue(this.view.getUint32(this.take(4), true)));
        return;
      case 0x43: // SHORT_BINBYTES
        this.stack.push(this.bytesValue(this.u8()));
        return;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        this.stack.push(this.bytesValue(this.length64()));
        return;

      // ---- containers
      case 0x29: // EMPTY_TUPLE
        this.stack.push({ t: "tuple", items: [] });
        return;
      case 0x74: // TUPLE
        this.stack.push({ t: "tuple", items: this.popMark() });
        return;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        const items: Pv[] = [];
        for (let i = 0; i < n; i++) items.unshift(this.pop());
        this.stack.push({ t: "tuple", items });
        return;
      }
      case 0x5d: // EMPTY_LIST
        this.stack.push({ t: "list", items: [] });
        return;
      case 0x6c: // LIST
        this.stack.push({ t: "list", items: this.popMark() });
        return;
      case 0x61: {
        // APPEND
        const value = this.pop();
        this.list(this.top()).items.push(value);
        return;
      }
      case 0x65: {
        // APPENDS
        const values = this.popMark();
        const list = this.list(this.top());
        for (const value of values) list.items.push(value);
        return;
      }
      case 0x7d: // EMPTY_DICT
        this.stack.push({ t: "dict", ordered: false, map: new Map() });
        return;
      case 0x64: {
        // DICT
        const dict: PvDict = { t: "dict", ordered: false, map: new Map() };
        this.setItems(dict, this.popMark());
        this.stack.push(dict);
        return;
      }
      case 0x73: {
        // SETITEM
        const value = this.pop();
        const key = this.pop();
        this.setItems(this.dict(this.top()), [key, value]);
        return;
      }
      case 0x75: {
        // SETITEMS
        const items = this.popMark();
        this.setItems(this.dict(this.top()), items);
        return;
      }
      case 0x8f: // EMPTY_SET
      case 0x90: // ADDITEMS
      case 0x91: // FROZENSET
        throw this.unsupported("the pickle holds a set; torch state dicts do not, and this reader has no set type");

      // ---- memo
      case 0x70: // PUT (text)
        this.memo.set(this.textIndex(), this.top());
        return;
      case 0x71: // BINPUT
        this.memo.set(this.u8(), this.top());
        return;
      case 0x72: // LONG_BINPUT
        this.memo.set(this.view.getUint32(this.take(4), true), this.top());
        return;
      case 0x94: // MEMOIZE
        this.memo.set(this.memo.size, this.top());
        return;
      case 0x67: // GET (text)
        this.stack.push(this.recall(this.textIndex()));
        return;
      case 0x68: // BINGET
        this.stack.push(this.recall(this.u8()));
        return;
      case 0x6a: // LONG_BINGET
        this.stack.push(this.recall(this.view.getUint32(this.take(4), true)));
        return;

      // ---- globals and calls (allowlist only)
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = this.line();
        const name = this.line();
        this.stack.push(resolveGlobal(module, name, this.place));
        return;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (module.t !== "str" || name.t !== "str") throw this.corrupt("STACK_GLOBAL needs two strings");
        this.stack.push(resolveGlobal(module.v, name.v, this.place));
        return;
      }
      case 0x69: {
        // INST "module\nname\n": checked against the allowlist, then refused (torch never writes it)
        const module = this.line();
        const name = this.line();
        resolveGlobal(module, name, this.place);
        throw this.unsupported(`the INST opcode (${module}.${name}) is not used by torch.save`);
      }
      case 0x6f: // OBJ
        throw this.unsupported("the OBJ opcode is not used by torch.save");
      case 0x52: {
        // REDUCE
        const args = this.pop();
        const callee = this.pop();
        if (callee.t !== "global") throw this.corrupt(`REDUCE calls ${aTypeName(callee)}, which is not callable`);
        if (args.t !== "tuple") throw this.corrupt(`REDUCE passes ${aTypeName(args)} instead of an argument tuple`);
        this.stack.push(callGlobal(callee, args.items, this.place));
        return;
      }
      case 0x81: // NEWOBJ
      case 0x92: {
        // NEWOBJ_EX
        if (op === 0x92) this.pop(); // kwargs
        this.pop(); // args: OrderedDict.__new__ ignores them
        const cls = this.pop();
        if (cls.t !== "global" || cls.role.kind !== "ordered_dict") {
          throw this.unsupported(`NEWOBJ of ${typeName(cls)}: only OrderedDict is built this way`);
        }
        this.stack.push({ t: "dict", ordered: true, map: new Map() });
        return;
      }
      case 0x62: {
        // BUILD (__setstate__): only an empty state is accepted, it changes nothing
        const state = this.pop();
        this.top();
        const empty =
          state.t === "none" ||
          (state.t === "dict" && state.map.size === 0) ||
          (state.t === "tuple" && state.items.length === 0);
        if (!empty) throw this.unsupported(`BUILD with a state of type ${typeName(state)} sets attributes this reader does not keep`);
        return;
      }
      case 0x50: // PERSID (text)
        this.stack.push(this.job.persistentLoad({ t: "str", v: this.line() }, this.place));
        return;
      case 0x51: // BINPERSID
        this.stack.push(this.job.persistentLoad(this.pop(), this.place));
        return;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw this.unsupported("the pickle uses the copyreg extension registry (EXT opcodes), which names globals indirectly");
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        throw this.unsupported("the pickle uses out-of-band buffers (protocol 5), which torch.save does not write");
      default:
        throw this.corrupt(`unknown pickle opcode 0x${op.toString(16).padStart(2, "0")}`);
    }
  }

  // ---- stack helpers

  private markBase(): number {
    return this.marks.length === 0 ? 0 : (this.marks[this.marks.length - 1] ?? 0);
  }

  private pop(): Pv {
    if (this.stack.length <= this.markBase()) throw this.corrupt("the pickle pops from an empty stack");
    const value = this.stack.pop();
    if (value === undefined) throw this.corrupt("the pickle pops from an empty stack");
    return value;
  }

  private top(): Pv {
    const value = this.stack.length > this.markBase() ? this.stack[this.stack.length - 1] : undefined;
    if (value === undefined) throw this.corrupt("the pickle reads the top of an empty stack");
    return value;
  }

  private popMark(): Pv[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.corrupt("the pickle closes a MARK it never opened");
    return this.stack.splice(mark);
  }

  private recall(index: number): Pv {
    const value = this.memo.get(index);
    if (value === undefined) throw this.corrupt(`the pickle recalls memo ${index}, which was never stored`);
    return value;
  }

  private list(value: Pv): PvList {
    if (value.t !== "list") throw this.corrupt(`APPEND to ${aTypeName(value)}, not a list`);
    return value;
  }

  private dict(value: Pv): PvDict {
    if (value.t !== "dict") throw this.corrupt(`SETITEM on ${aTypeName(value)}, not a dict`);
    return value;
  }

  private setItems(dict: PvDict, items: readonly Pv[]): void {
    if (items.length % 2 !== 0) throw this.corrupt("a dict is built from an odd number of items");
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      const value = items[i + 1];
      if (key === undefined || value === undefined) throw this.corrupt("a dict item is missing");
      dict.map.set(dictKey(key, this.place), [key, value]);
    }
  }

  // ---- reading the argument bytes

  /** Reserves n bytes and returns where they start. */
  private take(n: number): number {
    if (n > this.bytes.length - this.pos) {
      throw this.corrupt(`the opcode needs ${n} more bytes but only ${this.bytes.length - this.pos} are left: the pickle is truncated`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.take(1)] ?? 0;
  }

  private length32Signed(): number {
    const n = this.view.getInt32(this.take(4), true);
    if (n < 0) throw this.corrupt(`a negative length ${n}`);
    return n;
  }

  private length64(): number {
    const n = this.view.getBigUint64(this.take(8), true);
    const left = this.bytes.length - this.pos;
    if (n > BigInt(left)) throw this.corrupt(`a length of ${n} bytes but only ${left} are left`);
    return Number(n);
  }

  private slice(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.subarray(at, at + n);
  }

  private lineBytes(): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw this.corrupt("a text argument has no terminating newline: the pickle is truncated");
    const line = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return line;
  }

  private line(): string {
    return this.decodeStr(this.lineBytes()).v;
  }

  private decodeStr(raw: Uint8Array): PvStr {
    try {
      return { t: "str", v: utf8.decode(raw) };
    } catch {
      throw this.corrupt("a string is not valid UTF-8");
    }
  }

  private str(n: number): PvStr {
    const at = this.take(n);
    // ASCII (ids, keys, names) decodes straight from the buffer, with no view object per string.
    let ascii = true;
    for (let i = at; i < at + n; i++) {
      if ((this.bytes[i] ?? 0x80) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return { t: "str", v: this.text.toString("latin1", at, at + n) };
    return this.decodeStr(this.bytes.subarray(at, at + n));
  }

  private bytesValue(n: number): Pv {
    return { t: "bytes", v: new Uint8Array(this.slice(n)) }; // a copy: never pin the whole file
  }

  private binaryLong(n: number): Pv {
    const raw = this.slice(n);
    if (n === 0) return { t: "int", v: 0 };
    let hex = "";
    for (let i = n - 1; i >= 0; i--) hex += (raw[i] ?? 0).toString(16).padStart(2, "0");
    let value = BigInt(`0x${hex}`);
    if ((raw[n - 1] ?? 0) & 0x80) value -= 1n << BigInt(8 * n);
    return pyInt(value);
  }

  private parseBigInt(text: string): bigint {
    const trimmed = text.trim();
    if (!/^[+-]?\d+$/.test(trimmed)) throw this.corrupt(`"${trimmed.slice(0, 40)}" is not an integer`);
    return BigInt(trimmed);
  }

  private textInt(): Pv {
    const line = this.line();
    if (line === "00") return FALSE;
    if (line === "01") return TRUE;
    return pyInt(this.parseBigInt(line));
  }

  private textIndex(): number {
    const value = Number(this.parseBigInt(this.line()));
    if (!Number.isSafeInteger(value) || value < 0) throw this.corrupt("a memo index is out of range");
    return value;
  }

  private textFloat(line: string): number {
    const text = line.trim().toLowerCase();
    if (text === "inf" || text === "+inf") return Infinity;
    if (text === "-inf") return -Infinity;
    if (text === "nan" || text === "-nan" || text === "+nan") return NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) throw this.corrupt(`"${text.slice(0, 40)}" is not a float`);
    return Number(text);
  }

  /** A protocol-0 STRING argument: a Python repr in quotes, with backslash escapes. */
  private quotedString(raw: Uint8Array): Uint8Array {
    const quote = raw[0];
    if (raw.length < 2 || (quote !== 0x27 && quote !== 0x22) || raw[raw.length - 1] !== quote) {
      throw this.corrupt("a STRING argument is not quoted");
    }
    const out: number[] = [];
    for (let i = 1; i < raw.length - 1; i++) {
      const c = raw[i] ?? 0;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      const e = raw[++i] ?? 0;
      const mapped = SIMPLE_ESCAPES.get(e);
      if (mapped !== undefined) out.push(mapped);
      else if (e === 0x78) {
        const hex = String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw this.corrupt("a STRING argument has a bad \\x escape");
        out.push(parseInt(hex, 16));
        i += 2;
      } else if (e >= 0x30 && e <= 0x37) {
        let value = e - 0x30;
        for (let k = 0; k < 2 && (raw[i + 1] ?? 0) >= 0x30 && (raw[i + 1] ?? 0) <= 0x37; k++) value = value * 8 + ((raw[++i] ?? 0x30) - 0x30);
        out.push(value & 0xff);
      } else {
        out.push(0x5c, e);
      }
    }
    return Uint8Array.from(out);
  }
}

/** Python's raw-unicode-escape: latin-1 bytes with \uXXXX and \UXXXXXXXX escapes. */
function rawUnicodeEscape(raw: Uint8Array): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? 0;
    if (c === 0x5c && (raw[i + 1] === 0x75 || raw[i + 1] === 0x55)) {
      const width = raw[i + 1] === 0x75 ? 4 : 8;
      const hex = String.fromCharCode(...raw.subarray(i + 2, i + 2 + width));
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === width ? parseInt(hex, 16) : -1;
      if (code >= 0 && code <= 0x10ffff) {
        out += String.fromCodePoint(code);
        i += 1 + width;
        continue;
      }
    }
    out += String.fromCharCode(c);
  }
  return out;
}
