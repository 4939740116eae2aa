/**
 * How a video gathers views, likes, comments and shares over time. Two audiences add up:
 *  - subscribers: followers × a reach rate, arriving fast (1 − e^(−t/τs), τs ≈ 2 h);
 *  - recommendations: a heavy-tailed audience driven by quality, cluster, hour of day, metadata, drift
 *    and luck, arriving slowly (1 − e^(−(t/τr)^1.5), τr ≈ 30 h, longer for better content);
 *  - for a few videos (more of the good ones) a second wave of recommendations 1–4 days after upload,
 *    invisible at 6 h.
 * Early counts are dominated by subscribers, the final count by recommendations for good videos from
 * small channels: so log(views_7d) − log(views_6h) depends on quality and channel size, and the
 * Szabo–Huberman baseline is strong but beatable. Counts are Poisson increments between observation
 * times (so 1h ≤ 6h ≤ 7d always); likes, comments and shares are binomial thinnings of new views.
 */
import type { Random } from "./random.js";
import type { Counts } from "./types.js";

const HOUR_MS = 3_600_000;

export interface Drivers {
  readonly followers: number;
  readonly quality: number;
  /** Log-scale shift of the recommendation audience from everything but quality and followers. */
  readonly context: number;
  readonly durationSeconds: number;
}

export interface Audience {
  readonly subscribers: number;
  readonly subscriberHours: number;
  readonly recommended: number;
  readonly recommendedHours: number;
  /** A late second wave of recommendations (0 for most videos) starting waveStartHours after upload. */
  readonly wave: number;
  readonly waveStartHours: number;
  readonly likeRate: number;
  readonly commentRate: number;
  readonly shareRate: number;
  /** True mean fraction watched. */
  readonly retention: number;
}

const REACH_MEDIAN = 0.04;
const RECOMMENDED_MEDIAN = 1500;
const LUCK_SD = 0.9;
/** Share of average-quality videos that get a second wave (more for better ones). */
const WAVE_SHARE = 0.05;
const WAVE_HOURS = 24;
export const FOLLOWERS_PIVOT = 20_000;

export function drawAudience(drivers: Drivers, random: Random): Audience {
  const { followers, quality: q, context } = drivers;
  const reach = Math.min(0.6, random.logNormal(REACH_MEDIAN, 0.6) * Math.exp(0.35 * q + 0.5 * context));
  const recommended =
    RECOMMENDED_MEDIAN *
    Math.exp(1.1 * q + context + 0.25 * Math.log(followers / FOLLOWERS_PIVOT) + random.gaussian(0, LUCK_SD));
  const watched = 0.4 + 0.5 * q - 0.5 * Math.log(drivers.durationSeconds / 30) + random.gaussian(0, 0.3);
  return {
    subscribers: followers * reach,
    subscriberHours: random.logNormal(2, 0.35),
    recommended,
    recommendedHours: random.logNormal(30, 0.5) * Math.exp(0.25 * q),
    wave: random.bernoulli(Math.min(0.3, WAVE_SHARE * Math.exp(0.5 * q))) ? recommended * random.logNormal(2, 0.7) : 0,
    waveStartHours: random.uniform(24, 96),
    likeRate: Math.min(0.5, random.logNormal(0.035, 0.35) * Math.exp(0.25 * q)),
    commentRate: Math.min(0.2, random.logNormal(0.004, 0.5) * Math.exp(0.1 * q)),
    shareRate: Math.min(0.3, random.logNormal(0.006, 0.4) * Math.exp(0.45 * q)),
    retention: 1 / (1 + Math.exp(-watched)),
  };
}

/** Expected cumulative views `ageMs` after upload. */
export function expectedViews(audience: Audience, ageMs: number): number {
  const hours = Math.max(0, ageMs / HOUR_MS);
  const fromSubscribers = audience.subscribers * (1 - Math.exp(-hours / audience.subscriberHours));
  const fromRecommendations = audience.recommended * (1 - Math.exp(-Math.pow(hours / audience.recommendedHours, 1.5)));
  const waveHours = Math.max(0, hours - audience.waveStartHours);
  const fromWave = audience.wave * (1 - Math.exp(-waveHours / WAVE_HOURS));
  return fromSubscribers + fromRecommendations + fromWave;
}

export interface Observation extends Counts {
  readonly views: number;
  readonly likes: number;
  readonly comments: number;
  readonly shares: number;
  /** Observed mean fraction watched (noisier with fewer views); null with no views. */
  readonly retention: number | null;
}

/** Cumulative counts at increasing ages (ms after upload): Poisson increments, binomial engagement. */
export function observe(audience: Audience, agesMs: readonly number[], random: Random): Observation[] {
  const out: Observation[] = [];
  let views = 0;
  let likes = 0;
  let comments = 0;
  let shares = 0;
  let expectedSoFar = 0;
  for (const age of agesMs) {
    const expected = Math.max(expectedSoFar, expectedViews(audience, age));
    const added = random.poisson(expected - expectedSoFar);
    expectedSoFar = expected;
    views += added;
    likes += random.binomial(added, audience.likeRate);
    comments += random.binomial(added, audience.commentRate);
    shares += random.binomial(added, audience.shareRate);
    const noisy = audience.retention + random.gaussian(0, 0.25 / Math.sqrt(views + 1));
    const retention = views === 0 ? null : Math.round(Math.min(1, Math.max(0, noisy)) * 10_000) / 10_000;
    out.push({ views, likes, comments, shares, retention });
  }
  return out;
}
