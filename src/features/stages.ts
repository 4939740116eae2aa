/**
 * Stages and their cutoffs. A stage sees features of its own stage or an earlier one; a snapshot is
 * used for its window only if it was observed no later than the window's cutoff after upload.
 */
export const STAGES = ["upload", "1h", "6h"] as const;
export type Stage = (typeof STAGES)[number];

export const WINDOWS = ["1h", "6h"] as const;
export type EngagementWindow = (typeof WINDOWS)[number];

export const WINDOW_MS: Readonly<Record<EngagementWindow, number>> = { "1h": 3_600_000, "6h": 21_600_000 };

/** Default grace after a window: a snapshot observed up to 15 min late still counts for its window. */
export const DEFAULT_GRACE_MS = 15 * 60_000;

/** Latest observed_at - uploaded_at (ms, inclusive) at which a snapshot still counts for its window. */
export type StageCutoffs = Readonly<Record<EngagementWindow, number>>;

export function cutoffsWithGrace(graceMs: number = DEFAULT_GRACE_MS): StageCutoffs {
  return { "1h": WINDOW_MS["1h"] + graceMs, "6h": WINDOW_MS["6h"] + graceMs };
}

const RANK: Readonly<Record<Stage, number>> = { upload: 0, "1h": 1, "6h": 2 };

export function stageRank(stage: Stage): number {
  return RANK[stage];
}

/** Whether a model of `stage` may see a feature of `featureStage`. */
export function stageSees(stage: Stage, featureStage: Stage): boolean {
  return stageRank(featureStage) <= stageRank(stage);
}

export function isStage(value: unknown): value is Stage {
  return STAGES.some((stage) => stage === value);
}

export function isWindow(value: unknown): value is EngagementWindow {
  return WINDOWS.some((window) => window === value);
}

export type SnapshotVerdict = "valid" | "no-upload-time" | "before-upload" | "after-cutoff" | "bad-time";

/** The cutoff rule: 0 ≤ observed_at - uploaded_at ≤ cutoff[window]. */
export function judgeSnapshot(
  window: EngagementWindow,
  observedAt: number,
  uploadedAt: number,
  cutoffs: StageCutoffs,
): SnapshotVerdict {
  if (!Number.isFinite(uploadedAt)) return "no-upload-time";
  if (!Number.isFinite(observedAt)) return "bad-time";
  const age = observedAt - uploadedAt;
  if (age < 0) return "before-upload";
  return age <= cutoffs[window] ? "valid" : "after-cutoff";
}
