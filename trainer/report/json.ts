/**
 * report.json: the report as JSON. Refuses a report holding a non-finite number (JSON would turn it
 * into null and the file would no longer read back as the same report).
 */
import { ViralityError } from "../../src/errors.js";
import type { TrainingReport } from "./types.js";

export function reportToJson(report: TrainingReport): string {
  const bad = nonFinitePath(report, "report");
  if (bad !== null) {
    throw new ViralityError("VIR_TRAIN_INVALID", `the training report holds a non-finite number at ${bad}`, {
      details: { field: bad },
    });
  }
  return `${JSON.stringify(report, null, 2)}\n`;
}

function nonFinitePath(value: unknown, path: string): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = nonFinitePath(value[i], `${path}[${i}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const bad = nonFinitePath(inner, `${path}.${key}`);
      if (bad !== null) return bad;
    }
  }
  return null;
}
