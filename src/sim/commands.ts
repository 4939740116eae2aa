/**
 * The two commands behind `virality simulate` and `virality import seismic`: build a world, write it
 * (fused.pt, features.csv, features.parquet, events.jsonl) and return a summary to print.
 */
import { cutoffsWithGrace, judgeSnapshot } from "../features/stages.js";
import { importSeismic } from "./seismic.js";
import { TOPICS, type Topic, type World } from "./types.js";
import { simulateWorld } from "./world.js";
import { writeWorld, type WorldFiles } from "./write.js";

export interface SimulateCommandOptions {
  readonly out: string;
  readonly videos?: number;
  readonly channels?: number;
  readonly dim?: number;
  readonly seed?: number;
  readonly weeks?: number;
}

export interface ImportSeismicCommandOptions {
  /** The seismic-retweets folder (its training/ and example/ cascades are read). */
  readonly dir: string;
  readonly out: string;
}

export interface WorldSummary {
  readonly description: string;
  readonly videos: number;
  readonly channels: number;
  readonly dim: number;
  /** Deliveries per topic (duplicates included) and in all. */
  readonly events: Readonly<Record<Topic, number>> & { readonly total: number };
  /** Snapshots observed after their window's cutoff (default 15 min grace): unusable for that window. */
  readonly lateSnapshots: number;
  readonly firstUploadAt: string;
  readonly lastUploadAt: string;
  readonly medianViews7d: number;
  readonly files: WorldFiles;
}

export async function simulateCommand(options: SimulateCommandOptions): Promise<WorldSummary> {
  const { out, ...knobs } = options;
  const world = simulateWorld(knobs);
  return summarize(world, await writeWorld(world, out));
}

export async function importSeismicCommand(options: ImportSeismicCommandOptions): Promise<WorldSummary> {
  const world = await importSeismic(options.dir);
  return summarize(world, await writeWorld(world, options.out));
}

export function summarize(world: World, files: WorldFiles): WorldSummary {
  const perTopic: Record<Topic, number> = { uploads: 0, embeddings: 0, engagement: 0, outcomes: 0 };
  for (const event of world.events) perTopic[event.topic]++;
  const uploads = world.videos.map((video) => video.uploadedAt);
  const views = world.videos.map((video) => video.outcome.views).sort((a, b) => a - b);
  return {
    description: world.description,
    videos: world.videos.length,
    channels: world.channels.length,
    dim: world.dim,
    lateSnapshots: countLate(world),
    events: { ...perTopic, total: TOPICS.reduce((sum, topic) => sum + perTopic[topic], 0) },
    firstUploadAt: new Date(Math.min(...uploads)).toISOString(),
    lastUploadAt: new Date(Math.max(...uploads)).toISOString(),
    medianViews7d: views[Math.floor((views.length - 1) / 2)] ?? 0,
    files,
  };
}

function countLate(world: World): number {
  const cutoffs = cutoffsWithGrace();
  let late = 0;
  for (const video of world.videos) {
    if (judgeSnapshot("1h", video.h1.observedAt, video.uploadedAt, cutoffs) === "after-cutoff") late++;
    if (judgeSnapshot("6h", video.h6.observedAt, video.uploadedAt, cutoffs) === "after-cutoff") late++;
  }
  return late;
}
