/** Writes report.json (every number) and report.html for a training run. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { TrainResult } from "./train.js";

export async function writeReports(result: TrainResult, outDir: string): Promise<{ html: string; json: string }> {
  const json = path.join(outDir, "report.json");
  const html = path.join(outDir, "report.html");
  const data = {
    modelVersion: result.bundle.version,
    target: result.target,
    split: result.split,
    join: result.join,
    stages: result.stages.map((s) => ({
      stage: s.stage,
      nTrain: s.nTrain,
      nCalibration: s.nCalibration,
      nTest: s.nTest,
      metrics: s.metrics,
      baselines: s.baselines,
      beatsBaseline: s.beatsBaseline,
      coverage: s.coverage,
      importanceGroups: s.importance.groups.map((g) => ({ name: g.name, mean: g.mean, std: g.std })),
    })),
  };
  await writeFile(json, JSON.stringify(data, null, 2));
  await writeFile(html, `<!doctype html><meta charset="utf-8"><title>virality report</title><pre>${JSON.stringify(data, null, 2).replace(/</g, "&lt;")}</pre>`);
  return { html, json };
}
