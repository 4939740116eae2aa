/** Writes report.html and report.json for a training run (see trainer/report/). */
import { fitSurrogate } from "./baselines/surrogate.js";
import { buildStageReport, buildTrainingReport, writeReport, type GbdtSettings } from "./report/index.js";
import type { ResolvedGbdtOptions } from "./gbdt/options.js";
import type { TrainResult } from "./train.js";

export interface TrainReportOptions {
  readonly seed: number;
  readonly testFraction: number;
  readonly calibrationFraction: number;
}

function settingsOf(options: ResolvedGbdtOptions, names: readonly string[]): GbdtSettings {
  const { categoricalFeatures, ...rest } = options;
  return { ...rest, categoricalColumns: categoricalFeatures.map((column) => names[column] ?? `column ${column}`) };
}

export async function writeReports(result: TrainResult, outDir: string, options: TrainReportOptions): Promise<{ html: string; json: string }> {
  const stages = result.stages.map((s) =>
    buildStageReport({
      stage: s.stage,
      counts: { train: s.nTrain, calibration: s.nCalibration, test: s.nTest },
      transform: result.target.transform,
      actual: s.actual,
      predicted: s.predicted,
      modelName: `GBDT (${s.trees} trees${s.residualOver === "szabo-huberman" ? ", residual over Szabo–Huberman" : ""})`,
      hyperparameters: settingsOf(s.hyperparameters, s.featureNames),
      baselines: s.baselines,
      conformal: {
        alpha: 1 - s.coverage.level,
        level: s.coverage.level,
        quantile: s.coverage.quantile,
        calibrationRows: s.nCalibration,
        coverage: s.coverage.coverage,
        meanWidth: s.coverage.meanWidth,
        curve: s.calibration,
      },
      importance: s.importance,
      surrogate: fitSurrogate(s.testX, s.predicted, { names: s.featureNames, seed: options.seed }),
      seed: options.seed,
    }),
  );
  const report = buildTrainingReport({
    modelVersion: result.bundle.version,
    target: result.target,
    split: {
      kind: result.split,
      seed: result.split === "random" ? options.seed : null,
      testFraction: options.testFraction,
      calibrationFraction: options.calibrationFraction,
    },
    dataFingerprint: result.bundle.fingerprint,
    stages,
  });
  return writeReport(outDir, report);
}
