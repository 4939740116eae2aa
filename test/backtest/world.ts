/**
 * A seeded synthetic backtest: `videos` videos with heavy-tailed views, rescored several times per
 * stage, duplicate outcomes, alerts and early views, for the determinism and report tests.
 */
import type { Stage, UpsideAlert, VideoOutcome, VideoScore } from "../../src/contracts/generated/events.js";
import type { BacktestInput, EarlyViews } from "../../src/backtest/types.js";
import { T0, VERSION, alert, outcome, score } from "./records.js";

const STAGE_OFFSET: Readonly<Record<Stage, number>> = { UPLOAD: 0, H1: 3_600_000, H6: 21_600_000 };

export function syntheticBacktest(videos: number, seed: number): BacktestInput {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const scores: VideoScore[] = [];
  const outcomes: VideoOutcome[] = [];
  const alerts: UpsideAlert[] = [];
  const earlyViews = new Map<string, EarlyViews>();
  for (let i = 0; i < videos; i++) {
    const videoId = `vid-${i.toString(36)}`;
    const logViews = 2 + 10 * random() ** 2;
    const views = Math.round(Math.expm1(logViews));
    if (i % 17 !== 0) outcomes.push(outcome(videoId, views, { at: T0 + 1 }));
    if (i % 23 === 0) outcomes.push(outcome(videoId, views + 5, { at: T0 }));
    if (i % 19 === 0) continue; // never scored
    const stages: Stage[] = i % 7 === 0 ? ["UPLOAD"] : i % 4 === 0 ? ["UPLOAD", "H1"] : ["UPLOAD", "H1", "H6"];
    for (const [rank, stage] of stages.entries()) {
      const noise = (3 - rank) * (random() - 0.5);
      for (let k = 0; k < 1 + (i % 3); k++) {
        const target = logViews + noise + 0.1 * k;
        scores.push(
          score(videoId, {
            stage,
            target,
            low: Math.expm1(Math.max(0, target - 1.2)),
            high: Math.expm1(target + 1.2),
            at: T0 + STAGE_OFFSET[stage] + 1_000 * k + i,
          }),
        );
      }
      if (logViews + noise > 10) alerts.push(alert(videoId, { stage, at: T0 + STAGE_OFFSET[stage] + i }));
    }
    earlyViews.set(videoId, { "1h": Math.round(views * 0.05), "6h": Math.round(views * 0.2) });
  }
  return { scores, outcomes, alerts, targetTransform: "log1p", modelVersion: VERSION, earlyViews, shGrowth: { "1h": 2.9, "6h": 1.6 } };
}
