/**
 * Channels: audience size (log-normal followers), a skill shift of their videos' quality, a language,
 * a home content cluster and how often they upload.
 */
import { channelId } from "./ids.js";
import type { ResolvedSimulationOptions } from "./options.js";
import type { Random } from "./random.js";
import type { WorldChannel } from "./types.js";

export interface SimChannel extends WorldChannel {
  /** Added to the quality latent of every video of the channel. */
  readonly skill: number;
  readonly homeCluster: number;
  /** Relative upload frequency. */
  readonly uploadWeight: number;
  readonly captionsRate: number;
}

export const FOLLOWERS_MEDIAN = 20_000;
const FOLLOWERS_SIGMA = 1.6;
const SKILL_SD = 0.35;

export const LANGUAGES = ["en", "es", "pt", "hi", "de", "fr", "ja"] as const;
const LANGUAGE_WEIGHTS = [0.5, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05];

export function makeChannels(random: Random, options: ResolvedSimulationOptions): SimChannel[] {
  const taken = new Set<string>();
  const channels: SimChannel[] = [];
  for (let i = 0; i < options.channels; i++) {
    channels.push({
      channelId: channelId(random, taken),
      followers: Math.max(50, Math.round(random.logNormal(FOLLOWERS_MEDIAN, FOLLOWERS_SIGMA))),
      language: LANGUAGES[random.weighted(LANGUAGE_WEIGHTS)] ?? "en",
      skill: random.gaussian(0, SKILL_SD),
      homeCluster: random.int(options.clusters),
      uploadWeight: random.logNormal(1, 0.8),
      captionsRate: random.uniform(0.2, 0.95),
    });
  }
  return channels;
}
