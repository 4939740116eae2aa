/**
 * simulateWorld: a seeded, believable world of channels and short videos, with the event streams that
 * carry it. Every draw comes from one seed; each part of the model has its own random stream
 * (Random.stream), so e.g. changing the embedding dimension leaves views and timings unchanged.
 * The generative model is documented in ./README.md.
 */
import { drawAudience, observe } from "./audience.js";
import { makeChannels, type SimChannel } from "./channels.js";
import { embed, makeContentSpace } from "./content.js";
import { deliveries, OUTCOME_AGE_MS } from "./delivery.js";
import { videoId } from "./ids.js";
import { resolveSimulationOptions, type ResolvedSimulationOptions, type SimulationOptions } from "./options.js";
import { Random } from "./random.js";
import { WINDOW_MS, DEFAULT_GRACE_MS } from "../features/stages.js";
import type { World, WorldVideo } from "./types.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const EMBEDDING_MODEL = { model: "sim-fused", version: "1" } as const;

/** Relative upload frequency by UTC hour: quiet at night, busiest in the afternoon and evening. */
const UPLOAD_HOUR_WEIGHTS = [3, 2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 5, 6, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10, 9, 7, 5, 4];
const PORTRAIT_SHARE = 0.85;
const LANGUAGE_MISSING_SHARE = 0.03;
const HOME_CLUSTER_SHARE = 0.6;

/** Snapshot timing: on-time jitter (sd 3 min, within ±10 min); late ones 20–90 min past the window. */
const JITTER_SD_MS = 3 * 60_000;
const JITTER_MAX_MS = 10 * 60_000;
const LATE_MIN_MS = DEFAULT_GRACE_MS + 5 * 60_000;
const LATE_MAX_MS = 90 * 60_000;

export function simulateWorld(input: SimulationOptions = {}): World {
  const options = resolveSimulationOptions(input);
  const seed = options.seed;
  const channels = makeChannels(Random.stream(seed, "channels"), options);
  const space = makeContentSpace(Random.stream(seed, "content-space"), options.dim, options.clusters);
  const clusterRandom = Random.stream(seed, "clusters");
  const clusterPopularity = Array.from({ length: options.clusters }, () => clusterRandom.gaussian(0, 0.4));

  const videoRandom = Random.stream(seed, "videos");
  const embeddingRandom = Random.stream(seed, "embeddings");
  const audienceRandom = Random.stream(seed, "audience");
  const start = Date.parse(options.start);
  const days = Math.max(1, Math.round(options.weeks * 7));
  const channelWeights = channels.map((channel) => channel.uploadWeight);
  const takenIds = new Set<string>();

  const videos: WorldVideo[] = [];
  for (let i = 0; i < options.videos; i++) {
    const channel = channels[videoRandom.weighted(channelWeights)] ?? firstOf(channels);
    const day = videoRandom.int(days);
    const hour = videoRandom.weighted(UPLOAD_HOUR_WEIGHTS);
    const uploadedAt = start + day * DAY_MS + hour * HOUR_MS + videoRandom.int(HOUR_MS);
    const cluster = videoRandom.bernoulli(HOME_CLUSTER_SHARE) ? channel.homeCluster : videoRandom.int(options.clusters);
    const quality = channel.skill + videoRandom.normal();
    const style: [number, number, number, number] = [videoRandom.normal(), videoRandom.normal(), videoRandom.normal(), videoRandom.normal()];
    const durationSeconds = Math.round(Math.min(180, Math.max(5, videoRandom.logNormal(28, 0.6))) * 10) / 10;
    const captions = videoRandom.bernoulli(channel.captionsRate);
    const language = videoRandom.bernoulli(LANGUAGE_MISSING_SHARE) ? null : channel.language;
    const orientation = videoRandom.bernoulli(PORTRAIT_SHARE) ? "portrait" : "landscape";
    const titleWords = 1 + videoRandom.poisson(7);
    const id = videoId(videoRandom, takenIds);

    const context =
      (clusterPopularity[cluster] ?? 0) +
      0.25 * Math.cos((2 * Math.PI * (hour - 19)) / 24) -
      0.15 * Math.log(durationSeconds / 30) +
      (captions ? 0.1 : 0) +
      (orientation === "landscape" ? -0.2 : 0) +
      (language === "en" ? 0.15 : 0) +
      options.drift * (days > 1 ? day / (days - 1) : 0);
    const audience = drawAudience({ followers: channel.followers, quality, context, durationSeconds }, audienceRandom);
    const age1h = snapshotAge(WINDOW_MS["1h"], options, videoRandom);
    const age6h = snapshotAge(WINDOW_MS["6h"], options, videoRandom);
    const [at1h, at6h, at7d] = observe(audience, [age1h, age6h, OUTCOME_AGE_MS], audienceRandom);
    if (at1h === undefined || at6h === undefined || at7d === undefined) throw new RangeError("observe returned too few observations");

    const video: WorldVideo = {
      videoId: id,
      channelId: channel.channelId,
      uploadedAt,
      durationSeconds,
      language,
      captions,
      clusterId: `c${String(cluster).padStart(2, "0")}`,
      numericExtras: { channel_followers: channel.followers, title_words: titleWords },
      categoricalExtras: { orientation },
      embedding: embed(space, { quality, style, cluster }, options.embeddingNoise, embeddingRandom),
      h1: { ...at1h, observedAt: uploadedAt + age1h },
      h6: { ...at6h, observedAt: uploadedAt + age6h },
      outcome: { views: at7d.views, likes: at7d.likes, comments: at7d.comments, shares: at7d.shares },
      quality,
    };
    videos.push(video);
  }
  videos.sort((a, b) => a.uploadedAt - b.uploadedAt || compareText(a.videoId, b.videoId));
  return {
    description: `simulated (seed ${seed}, ${videos.length} videos, ${channels.length} channels, ${options.weeks} weeks)`,
    dim: options.dim,
    embeddingModel: EMBEDDING_MODEL,
    channels: channels.map(({ channelId, followers, language }) => ({ channelId, followers, language })),
    videos,
    events: deliveries(videos, EMBEDDING_MODEL, options.disorder, Random.stream(seed, "delivery")),
  };
}

/** When a window's snapshot is taken, ms after upload: jittered around the window, or late. */
function snapshotAge(windowMs: number, options: ResolvedSimulationOptions, random: Random): number {
  if (random.bernoulli(options.disorder.lateSnapshot)) return windowMs + Math.round(random.uniform(LATE_MIN_MS, LATE_MAX_MS));
  const jitter = Math.min(JITTER_MAX_MS, Math.max(-JITTER_MAX_MS, random.gaussian(0, JITTER_SD_MS)));
  return windowMs + Math.round(jitter);
}

function firstOf(channels: readonly SimChannel[]): SimChannel {
  const first = channels[0];
  if (first === undefined) throw new RangeError("a world needs at least one channel");
  return first;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
