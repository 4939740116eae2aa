/**
 * The .pt fuzzer shared by test/io/pt-fuzz.test.ts (a fixed seed, ≥ 1,000 cases per run) and
 * bench/pt-fuzz.ts (more cases, any seed). It mutates real files — the shared torch fixtures, the
 * fused fixtures and a fused.pt written by writeFused — and classifies each outcome: a parsed value,
 * a ViralityError, or anything else (a bug: a crash of the reader).
 */
import { readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isViralityError } from "../../src/errors.js";
import { crc32 } from "../../src/io/pt/crc32.js";
import { fusedFromPt, writeFused } from "../../src/io/fused.js";
import { readPtBuffer } from "../../src/io/pt/index.js";
import { fusedDir, sharedPtDir } from "./pt-helpers.js";

export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly fused: boolean;
}

/** mulberry32: a small, deterministic PRNG; the same seed gives the same cases on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function loadSeeds(): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const dir of [sharedPtDir, fusedDir]) {
    for (const name of (await readdir(dir)).sort()) {
      if (!name.endsWith(".pt") || name === "broken.pt") continue;
      seeds.push({ name, bytes: new Uint8Array(await readFile(path.join(dir, name))), fused: dir === fusedDir });
    }
  }
  const written = path.join(tmpdir(), `virality-fuzz-seed-${process.pid}.pt`);
  try {
    const ids = Array.from({ length: 40 }, (_, i) => `v${i}`);
    await writeFused(written, ids, 8, Float32Array.from({ length: 320 }, (_, i) => i / 7));
    seeds.push({ name: "writeFused-40x8.pt", bytes: new Uint8Array(await readFile(written)), fused: true });
  } finally {
    await rm(written, { force: true });
  }
  return seeds;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x2e, 0x28, 0x52, 0x93, 0x63];

/** The [start, end) of data.pkl's bytes and the offset of its CRC in the central directory, for zip seeds. */
function dataPkl(bytes: Uint8Array): { start: number; end: number; crcAt: number } | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = bytes.length - 46; at >= 0; at--) {
    if (dv.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = dv.getUint16(at + 28, true);
    const name = Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString("latin1");
    if (!name.endsWith("/data.pkl")) continue;
    const local = dv.getUint32(at + 42, true);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    return { start, end: start + dv.getUint32(at + 20, true), crcAt: at + 16 };
  }
  return undefined;
}

/** One mutated copy of a seed. Strategies: bit flips, interesting bytes, truncation, chunk copies, and
 * in-place pickle mutations of a zip's data.pkl with its CRC fixed up (so the VM sees them). */
export function mutate(seed: Seed, random: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(random() * n);
  let out = new Uint8Array(seed.bytes);
  const strategy = pick(5);
  if (strategy === 0) {
    for (let i = 1 + pick(8); i > 0; i--) out[pick(out.length)] ^= 1 << pick(8);
  } else if (strategy === 1) {
    for (let i = 1 + pick(4); i > 0; i--) out[pick(out.length)] = INTERESTING[pick(INTERESTING.length)] ?? 0;
  } else if (strategy === 2) {
    out = out.slice(0, pick(out.length));
  } else if (strategy === 3) {
    const from = pick(out.length);
    const length = 1 + pick(64);
    out.copyWithin(pick(out.length), from, from + length);
  } else {
    const pkl = dataPkl(out);
    const start = pkl?.start ?? 0;
    const end = pkl?.end ?? out.length;
    for (let i = 1 + pick(3); i > 0; i--) {
      const at = start + pick(Math.max(1, end - start));
      out[at] = random() < 0.5 ? INTERESTING[pick(INTERESTING.length)] ?? 0 : pick(256);
    }
    if (pkl !== undefined && pkl.end <= out.length) {
      new DataView(out.buffer).setUint32(pkl.crcAt, crc32(out.subarray(pkl.start, pkl.end)), true);
    }
  }
  return out;
}

export interface FuzzTally {
  cases: number;
  parsed: number;
  refused: number;
  /** Anything thrown that is not a ViralityError: each is a bug. */
  readonly crashes: { seed: string; index: number; error: string }[];
  readonly codes: Map<string, number>;
}

/** Runs `count` mutated cases from `seedValue`; fused seeds also go through the fused.pt contract. */
export async function fuzz(seeds: readonly Seed[], seedValue: number, count: number): Promise<FuzzTally> {
  const random = prng(seedValue);
  const tally: FuzzTally = { cases: 0, parsed: 0, refused: 0, crashes: [], codes: new Map() };
  for (let index = 0; index < count; index++) {
    const seed = seeds[index % seeds.length];
    if (seed === undefined) break;
    const bytes = mutate(seed, random);
    tally.cases += 1;
    try {
      const pt = await readPtBuffer(bytes, `${seed.name}#${index}`);
      if (seed.fused) {
        try {
          fusedFromPt(pt, seed.name);
        } catch (error) {
          if (!isViralityError(error, "VIR_FUSED_INVALID")) throw error;
        }
      }
      tally.parsed += 1;
    } catch (error) {
      if (isViralityError(error)) {
        tally.refused += 1;
        tally.codes.set(error.code, (tally.codes.get(error.code) ?? 0) + 1);
      } else {
        tally.crashes.push({ seed: seed.name, index, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) });
      }
    }
  }
  return tally;
}
