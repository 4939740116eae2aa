/**
 * `virality predict`: batch scoring of a table with a bundle, through the same predictor the scorer
 * uses. Writes video_id, stage used, predicted target, predicted views and interval bounds.
 */
import type { Command } from "commander";
import { ViralityError } from "../../errors.js";
import { recordsOfJoinRow } from "../../features/table-features.js";
import { readFused } from "../../io/fused.js";
import { joinWithEmbeddings } from "../../io/join.js";
import { readTable, writeTable } from "../../io/tables/index.js";
import { tableFromColumns } from "../../io/tables/table.js";
import { loadBundle } from "../../model/bundle.js";
import { Predictor } from "../../model/predictor.js";

export interface PredictSummary {
  readonly rows: number;
  readonly scored: number;
  readonly byStage: Record<string, number>;
  readonly out: string;
}

export async function predictTable(bundlePath: string, fusedPath: string, featuresPath: string, out: string): Promise<PredictSummary> {
  const predictor = new Predictor(await loadBundle(bundlePath));
  const fused = await readFused(fusedPath);
  if (fused.dim !== predictor.bundle.spec.embeddingDim) {
    throw new ViralityError(
      "VIR_FUSED_INVALID",
      `${fusedPath} has embeddings of dimension ${fused.dim}, the model expects ${predictor.bundle.spec.embeddingDim}`,
      { details: { file: fusedPath } },
    );
  }
  const table = await readTable(featuresPath);
  const join = joinWithEmbeddings(table, fused);
  const n = join.ids.length;
  const stage: Array<string | null> = [];
  const target = new Float64Array(n).fill(Number.NaN);
  const views = new Float64Array(n).fill(Number.NaN);
  const low = new Float64Array(n).fill(Number.NaN);
  const high = new Float64Array(n).fill(Number.NaN);
  const byStage: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const p = predictor.predict(recordsOfJoinRow(predictor.bundle.spec, table, join, i));
    stage.push(p?.stage ?? null);
    if (p === null) continue;
    byStage[p.stage] = (byStage[p.stage] ?? 0) + 1;
    target[i] = p.predictedTarget;
    views[i] = p.predictedViews;
    low[i] = p.low;
    high[i] = p.high;
  }
  await writeTable(
    out,
    tableFromColumns({
      video_id: join.ids,
      stage,
      predicted_target: target,
      predicted_views: views,
      interval_low: low,
      interval_high: high,
      model_version: join.ids.map(() => predictor.version),
    }),
  );
  return { rows: n, scored: Object.values(byStage).reduce((a, b) => a + b, 0), byStage, out };
}

export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("score a features table with a model bundle (CSV or Parquet out, by the extension)")
    .requiredOption("--bundle <file>", "model bundle (model.json from `virality train`)")
    .requiredOption("--fused <file>", "fused embeddings, a torch file {ids, fused}")
    .requiredOption("--features <file>", "features table (.csv, .tsv or .parquet)")
    .option("--out <file>", "predictions file (.csv or .parquet)", "predictions.csv")
    .action(async (options: { bundle: string; fused: string; features: string; out: string }) => {
      const summary = await predictTable(options.bundle, options.fused, options.features, options.out);
      console.log(
        `scored ${summary.scored} of ${summary.rows} rows (${Object.entries(summary.byStage)
          .map(([s, c]) => `${s}: ${c}`)
          .join(", ")}) → ${summary.out}`,
      );
    });
}
