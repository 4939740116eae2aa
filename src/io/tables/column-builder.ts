/**
 * Grows one column while a file is read. A column starts numeric (a Float64Array, cheap) and turns
 * into text at its first cell that is not a number; earlier numbers are then kept as their canonical
 * text (`String(n)`: "007" becomes "7", the same key `categoryKey` gives it later).
 */
import type { Column } from "./table.js";

/** Cells read as missing in a CSV file (case-sensitive, after trimming spaces). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]);

const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number written in plain decimal or exponent notation, else undefined (no hex, no "Infinity"). */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER_PATTERN.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

export class ColumnBuilder {
  readonly name: string;
  private numbers: Float64Array | undefined = new Float64Array(1024);
  private texts: Array<string | null> | undefined;
  private length = 0;

  /** `textOnly` keeps the column as text whatever it holds (the video_id key). */
  constructor(name: string, textOnly: boolean) {
    this.name = name;
    if (textOnly) {
      this.numbers = undefined;
      this.texts = [];
    }
  }

  get isText(): boolean {
    return this.numbers === undefined;
  }

  get size(): number {
    return this.length;
  }

  /** A CSV cell: missing token, number or text (kept as written, surrounding spaces included). */
  pushRaw(raw: string): void {
    if (MISSING_TOKENS.has(raw.trim())) return this.pushMissing();
    if (this.numbers !== undefined) {
      const value = parseDecimal(raw);
      if (value !== undefined) return this.pushNumber(value);
    }
    this.pushText(raw);
  }

  pushMissing(): void {
    this.pushNumber(Number.NaN);
  }

  pushNumber(value: number): void {
    if (this.numbers === undefined) {
      this.texts?.push(Number.isNaN(value) ? null : String(value));
      this.length++;
      return;
    }
    if (this.length === this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[this.length++] = value;
  }

  pushText(value: string): void {
    if (value === "") return this.pushMissing();
    if (this.numbers !== undefined) this.switchToText();
    this.texts?.push(value);
    this.length++;
  }

  private switchToText(): void {
    const numbers = this.numbers;
    if (numbers === undefined) return;
    const texts: Array<string | null> = new Array<string | null>(this.length);
    for (let i = 0; i < this.length; i++) {
      const value = numbers[i] ?? Number.NaN;
      texts[i] = Number.isNaN(value) ? null : String(value);
    }
    this.texts = texts;
    this.numbers = undefined;
  }

  finish(): Column {
    if (this.numbers !== undefined) {
      return { type: "number", name: this.name, values: this.numbers.slice(0, this.length) };
    }
    return { type: "text", name: this.name, values: this.texts ?? [] };
  }
}
