/**
 * Which videos a backtest evaluates. The replay scores every video on the topics, including those the
 * model was trained and calibrated on; judged on those, a model looks better than it is. When the
 * bundle records its held-out videos, only their scores, outcomes and alerts are kept; otherwise
 * everything is, and the report says plainly that it is in-sample.
 */
import type { HeldOut } from "../model/bundle.js";
import { formatCount } from "../report/format.js";
import type { BacktestInput, EvaluationReport, HeldOutRecord } from "./types.js";

export const IN_SAMPLE_NOTE =
  "in-sample: the bundle does not record its held-out videos, so every video is evaluated, including those the model was trained and calibrated on";

type Place = "held-out" | "in-sample" | "no-upload-time";

export interface EvaluationSet {
  /** The input restricted to the evaluated videos (the same object when every video is evaluated). */
  readonly input: BacktestInput;
  readonly evaluation: EvaluationReport;
}

export function evaluationSet(input: BacktestInput): EvaluationSet {
  const heldOut = input.heldOut;
  if (heldOut === undefined) {
    return {
      input,
      evaluation: { basis: "in-sample", heldOut: null, videosHeldOut: null, videosInSampleSkipped: 0, videosWithoutUploadTime: 0, note: IN_SAMPLE_NOTE },
    };
  }
  const placeOf = placer(heldOut, input.uploadedAt);
  const places = new Map<string, Place>();
  const videoIds = [...input.scores, ...input.outcomes, ...input.alerts].map((record) => record.video_id);
  for (const videoId of videoIds) if (!places.has(videoId)) places.set(videoId, placeOf(videoId));
  const count = (place: Place): number => [...places.values()].filter((p) => p === place).length;
  const kept = (record: { readonly video_id: string }): boolean => places.get(record.video_id) === "held-out";
  const record: HeldOutRecord = heldOut.kind === "uploadedFrom" ? heldOut : { kind: "videos", rows: heldOut.ids.length };
  const counts = { videosHeldOut: count("held-out"), videosInSampleSkipped: count("in-sample"), videosWithoutUploadTime: count("no-upload-time") };
  return {
    input: { ...input, scores: input.scores.filter(kept), outcomes: input.outcomes.filter(kept), alerts: input.alerts.filter(kept) },
    evaluation: { basis: "held-out", heldOut: record, ...counts, note: heldOutNote(record, counts) },
  };
}

function placer(heldOut: HeldOut, uploadedAt: ReadonlyMap<string, number> | undefined): (videoId: string) => Place {
  if (heldOut.kind === "videos") {
    const ids = new Set(heldOut.ids);
    return (videoId) => (ids.has(videoId) ? "held-out" : "in-sample");
  }
  return (videoId) => {
    const at = uploadedAt?.get(videoId);
    if (at === undefined || !Number.isFinite(at)) return "no-upload-time";
    return at >= heldOut.at ? "held-out" : "in-sample";
  };
}

function heldOutNote(
  record: HeldOutRecord,
  counts: { readonly videosHeldOut: number; readonly videosInSampleSkipped: number; readonly videosWithoutUploadTime: number },
): string {
  const held = `held out: ${formatCount(counts.videosHeldOut)} videos the model did not see`;
  const skipped = formatCount(counts.videosInSampleSkipped);
  if (record.kind === "videos") {
    return `${held} (among its ${formatCount(record.rows)} test videos) are evaluated; ${skipped} in-sample videos skipped (or not in its training table)`;
  }
  const withoutTime = counts.videosWithoutUploadTime > 0 ? `, and ${formatCount(counts.videosWithoutUploadTime)} without an upload time` : "";
  return (
    `${held} (uploaded at or after ${timeText(record.at)}, after every training and calibration row) are evaluated; ` +
    `${skipped} in-sample videos skipped${withoutTime}`
  );
}

/** ISO 8601 when the epoch ms is a representable date, else the number itself. */
function timeText(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}
