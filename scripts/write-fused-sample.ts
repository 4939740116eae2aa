/**
 * Writes the sample fused.pt that scripts/make-fused-fixtures.py checks with real torch
 * (test/fixtures/fused/written-by-virality.pt). test/io/fused.test.ts pins that writeFused still
 * writes exactly these bytes, so the torch check stays true without torch in CI.
 *
 * Usage: node dist/scripts/write-fused-sample.js OUT.pt
 */
import { pathToFileURL } from "node:url";
import { writeFused } from "../src/io/fused.js";

export const SAMPLE_IDS: readonly string[] = ["vid-000", "vid-001", "vidéo-002", "視頻-003", "vid-004"];
export const SAMPLE_DIM = 6;

/** Row r, column c: r - c / 8 + 0.125 (exact in float32), so every value is easy to check. */
export function sampleData(): Float32Array {
  const data = new Float32Array(SAMPLE_IDS.length * SAMPLE_DIM);
  for (let r = 0; r < SAMPLE_IDS.length; r++) {
    for (let c = 0; c < SAMPLE_DIM; c++) data[r * SAMPLE_DIM + c] = r - c / 8 + 0.125;
  }
  return data;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const out = process.argv[2];
  if (out === undefined) {
    console.error("usage: node dist/scripts/write-fused-sample.js OUT.pt");
    process.exit(2);
  }
  await writeFused(out, SAMPLE_IDS, SAMPLE_DIM, sampleData());
  console.log(`wrote ${out}`);
}
