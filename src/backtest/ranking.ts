/**
 * Whether the model finds the hits: the true top 1% / 10% of realized views, precision@k of the
 * ranking by final predicted views, and precision / recall of the alerts actually published.
 * Ties are broken by video id, and a top share includes every video tied at its threshold.
 */
import type { Stage, UpsideAlert, VideoScore } from "../contracts/generated/events.js";
import { compareIds, ratio } from "./order.js";
import { BACKTEST_STAGES, type AlertGroup, type AlertReport, type PrecisionAtK, type RankingReport } from "./types.js";

/** The videos whose realized views reach the ⌈percent·N/100⌉-th largest views. */
export interface TrueTop {
  readonly threshold: number;
  readonly members: ReadonlySet<string>;
}

export const PRECISION_AT = [10, 50, 100] as const;

export function trueTop(views: ReadonlyMap<string, number>, percent: number): TrueTop | null {
  if (views.size === 0) return null;
  const descending = Float64Array.from(views.values()).sort().reverse();
  const threshold = descending[topCount(views.size, percent) - 1];
  const members = new Set<string>();
  for (const [videoId, realized] of views) if (realized >= threshold) members.add(videoId);
  return { threshold, members };
}

/** ⌈percent·n/100⌉, at least 1; exact for integer percents (no 0.01·n rounding). */
export function topCount(n: number, percent: number): number {
  return Math.max(1, Math.ceil((n * percent) / 100));
}

/** Scored videos with an outcome, best predicted first (ties by video id). */
export function rankByPrediction(finalScores: ReadonlyMap<string, VideoScore>, views: ReadonlyMap<string, number>): string[] {
  const ranked = Array.from(finalScores.values()).filter((score) => views.has(score.video_id));
  ranked.sort((a, b) => b.predicted_views - a.predicted_views || compareIds(a.video_id, b.video_id));
  return ranked.map((score) => score.video_id);
}

export function rankingReport(
  ranked: readonly string[],
  views: ReadonlyMap<string, number>,
  top1: TrueTop | null,
  top10: TrueTop | null,
): RankingReport {
  return {
    videosWithOutcome: views.size,
    ranked: ranked.length,
    top1: top1 === null ? null : { threshold: top1.threshold, size: top1.members.size },
    top10: top10 === null ? null : { threshold: top10.threshold, size: top10.members.size },
    precisionAtK: top1 === null || top10 === null ? [] : precisionAtK(ranked, views.size, top1, top10),
  };
}

function precisionAtK(ranked: readonly string[], population: number, top1: TrueTop, top10: TrueTop): PrecisionAtK[] {
  const labels = new Map<number, string>(PRECISION_AT.map((k) => [k, String(k)]));
  const onePercent = topCount(population, 1);
  labels.set(onePercent, labels.has(onePercent) ? `${onePercent} = 1%` : "1%");
  return Array.from(labels)
    .filter(([k]) => k <= ranked.length)
    .sort((a, b) => a[0] - b[0])
    .map(([k, label]) => {
      const head = ranked.slice(0, k);
      return {
        label,
        k,
        precisionTop1: countIn(head, top1.members) / k,
        precisionTop10: countIn(head, top10.members) / k,
      };
    });
}

export function alertReport(
  alerts: readonly UpsideAlert[],
  modelVersion: string,
  views: ReadonlyMap<string, number>,
  top1: TrueTop | null,
  top10: TrueTop | null,
): AlertReport {
  const own = alerts.filter((alert) => alert.model_version === modelVersion);
  const firstByVideo = new Map<string, UpsideAlert>();
  const rulesByVideo = new Map<string, Set<string>>();
  for (const alert of own) {
    const held = firstByVideo.get(alert.video_id);
    if (held === undefined || alertIsEarlier(alert, held)) firstByVideo.set(alert.video_id, alert);
    const rules = rulesByVideo.get(alert.video_id) ?? new Set<string>();
    rules.add(alert.rule);
    rulesByVideo.set(alert.video_id, rules);
  }
  const alerted = Array.from(firstByVideo.keys());
  const withOutcome = alerted.filter((videoId) => views.has(videoId));
  const top1Members = top1?.members ?? new Set<string>();
  const top10Members = top10?.members ?? new Set<string>();
  const group = (key: string, videos: readonly string[]): AlertGroup => {
    const known = videos.filter((videoId) => views.has(videoId));
    const inTop10 = countIn(known, top10Members);
    return {
      key,
      videos: videos.length,
      withOutcome: known.length,
      inTop1: countIn(known, top1Members),
      inTop10,
      precisionTop10: ratio(inTop10, known.length),
    };
  };
  const videosByRule = new Map<string, string[]>();
  for (const [videoId, rules] of rulesByVideo) {
    for (const rule of rules) {
      const videos = videosByRule.get(rule) ?? [];
      videos.push(videoId);
      videosByRule.set(rule, videos);
    }
  }
  return {
    records: own.length,
    recordsOtherVersion: alerts.length - own.length,
    videosAlerted: alerted.length,
    videosAlertedWithoutOutcome: alerted.length - withOutcome.length,
    precisionTop10: ratio(countIn(withOutcome, top10Members), withOutcome.length),
    precisionTop1: ratio(countIn(withOutcome, top1Members), withOutcome.length),
    recallTop1: top1 === null ? null : ratio(countIn(alerted, top1Members), top1Members.size),
    recallTop10: top10 === null ? null : ratio(countIn(alerted, top10Members), top10Members.size),
    byFirstStage: BACKTEST_STAGES.map((stage) =>
      group(stage, alerted.filter((videoId) => firstByVideo.get(videoId)?.stage === stage)),
    ),
    byRule: Array.from(videosByRule.keys())
      .sort(compareIds)
      .map((rule) => group(rule, videosByRule.get(rule) ?? [])),
  };
}

/** Earlier by (alerted_at, stage, rule): independent of the order alerts are given in. */
function alertIsEarlier(candidate: UpsideAlert, held: UpsideAlert): boolean {
  if (candidate.alerted_at !== held.alerted_at) return candidate.alerted_at < held.alerted_at;
  const byStage = stageRank(candidate.stage) - stageRank(held.stage);
  if (byStage !== 0) return byStage < 0;
  return compareIds(candidate.rule, held.rule) < 0;
}

function stageRank(stage: Stage): number {
  return BACKTEST_STAGES.indexOf(stage);
}

function countIn(videoIds: readonly string[], members: ReadonlySet<string>): number {
  let count = 0;
  for (const videoId of videoIds) if (members.has(videoId)) count++;
  return count;
}
