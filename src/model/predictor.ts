/**
 * Scoring with a bundle: the highest stage whose inputs are present and that the bundle has a model
 * for, features through the one assembly path, trees over the stage's base margin, and the conformal
 * interval mapped back to views. Used by the scorer, `virality predict` and predictScore().
 */
import { ViralityError } from "../errors.js";
import { assembleInto, highestStage, type InputsPresent } from "../features/assemble.js";
import type { VideoRecords } from "../features/records.js";
import { vectorWidth } from "../features/spec.js";
import { STAGES, stageRank, type Stage } from "../features/stages.js";
import { baseMarginOf, fromTarget, viewsIndex, type ModelBundle, type StageModel } from "./bundle.js";
import { predictTreesRow } from "./trees.js";

export interface Prediction {
  readonly stage: Stage;
  readonly modelVersion: string;
  readonly predictedTarget: number;
  readonly predictedViews: number;
  /** Conformal interval, in views. */
  readonly low: number;
  readonly high: number;
  readonly level: number;
  readonly inputs: InputsPresent;
}

interface CompiledStage {
  readonly model: StageModel;
  readonly viewsAt: number;
  /** The stage's feature vector, reused by every prediction (they are synchronous). */
  readonly vector: Float64Array;
}

/** A bundle made ready for fast repeated scoring. */
export class Predictor {
  readonly bundle: ModelBundle;
  readonly #stages = new Map<Stage, CompiledStage>();

  constructor(bundle: ModelBundle) {
    this.bundle = bundle;
    for (const stage of STAGES) {
      const model = bundle.stages[stage];
      if (model === undefined) continue;
      const window = model.baseMargin.kind === "szabo-huberman" ? model.baseMargin.window : "1h";
      this.#stages.set(stage, { model, viewsAt: viewsIndex(bundle.spec, stage, window), vector: new Float64Array(vectorWidth(bundle.spec, stage)) });
    }
  }

  get version(): string {
    return this.bundle.version;
  }

  /** The stage a video would be scored at now, or null when even the upload stage lacks inputs. */
  stageFor(records: VideoRecords): Stage | null {
    const highest = highestStage(this.bundle.spec, records);
    if (highest === null) return null;
    let best: Stage | null = null;
    for (const stage of this.#stages.keys()) {
      if (stageRank(stage) <= stageRank(highest) && (best === null || stageRank(stage) > stageRank(best))) best = stage;
    }
    return best;
  }

  /** Predicts from one raw vector of a stage (the trainer's batch path uses the same arithmetic). */
  predictVector(stage: Stage, vector: Float32Array | Float64Array, offset = 0): { target: number; margin: number } {
    const compiled = this.#stages.get(stage);
    if (compiled === undefined) throw new ViralityError("VIR_MODEL_INVALID", `bundle ${this.version} has no ${stage} model`);
    const margin = baseMarginOf(compiled.model.baseMargin, compiled.viewsAt, vector, offset);
    const row = offset === 0 ? vector : vector.subarray(offset, offset + compiled.model.trees.nFeatures);
    return { target: predictTreesRow(compiled.model.trees, row, margin), margin };
  }

  /** Every stage the video can be scored at now (for backtests: each stage's prediction). */
  availableStages(records: VideoRecords): Stage[] {
    const highest = this.stageFor(records);
    if (highest === null) return [];
    return [...this.#stages.keys()].filter((s) => stageRank(s) <= stageRank(highest));
  }

  /** Scores a video at its highest available stage; null when it cannot be scored yet. */
  predict(records: VideoRecords): Prediction | null {
    const stage = this.stageFor(records);
    return stage === null ? null : this.predictAt(stage, records);
  }

  /** Scores a video at a given stage (which must be available: see availableStages). */
  predictAt(stage: Stage, records: VideoRecords): Prediction | null {
    const compiled = this.#stages.get(stage);
    if (compiled === undefined) return null;
    const inputs = assembleInto(this.bundle.spec, stage, records, compiled.vector);
    const { target } = this.predictVector(stage, compiled.vector);
    const model = compiled.model;
    const transform = this.bundle.target.transform;
    const q = model.conformal.quantile;
    return {
      stage,
      modelVersion: this.version,
      predictedTarget: target,
      predictedViews: Math.max(0, fromTarget(transform, target)),
      low: Math.max(0, fromTarget(transform, target - q)),
      high: Math.max(0, fromTarget(transform, target + q)),
      level: model.conformal.level,
      inputs,
    };
  }
}
