/**
 * importSeismic: real popularity time series — the retweet cascades of the SEISMIC sample
 * (../shared/data/seismic-retweets, see its README) — turned into the same world shape as the
 * simulator, so `virality train` and the scorer run on them unchanged. Report it as
 * "SEISMIC sample, N cascades", never as a short-video benchmark. The mapping:
 *
 *  - one cascade = one "video": video_id `seismic-<file stem>`, channel_id `poster-<file stem>`;
 *  - uploaded_at = 2011-10-07T00:00Z (start of the SEISMIC collection) + the header's start time;
 *  - views_<t> = shares_<t> = number of retweets at most t after the post (the original post line is
 *    not a retweet and is not counted), at t = 1 h, 6 h and 168 h (views_7d); observed_at is exactly
 *    upload + t. likes, comments and retention do not exist in the data: the table leaves them out and
 *    events carry 0 / null (the contract requires the counts);
 *  - numeric extra poster_followers: the follower count of the original poster (known at post time);
 *  - fused.pt holds a tiny d = 4 vector that is NOT content: [log1p(poster followers) / 10,
 *    sin and cos of the post's hour of day, post day within the collection / 30]. Only what is known
 *    at post time goes in, because the embedding is an upload-stage input (first-hour statistics there
 *    would leak the 1h stage into the upload model).
 *
 * File format: first line `<total> <start time>`, then `<time since post> <followers>` per event; the
 * header total is not trusted (events are counted). Times are seconds and the start time days (the
 * TiDeH training files), except in a file whose times have fractions and all lie within 168 — the
 * layout of TiDeH's example file, which its own loader reads in hours (start time in hours too).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { ViralityError } from "../errors.js";
import { deliveries } from "./delivery.js";
import { Random } from "./random.js";
import type { Snapshot, World, WorldVideo } from "./types.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** SEISMIC collected tweets from 2011-10-07 to 2011-11-07; start times count from the first day. */
export const SEISMIC_EPOCH_MS = Date.UTC(2011, 9, 7);
export const SEISMIC_EMBEDDING = { model: "seismic-poster-context", version: "1" } as const;
export const SEISMIC_DIM = 4;
const OUTCOME_HOURS = 168;

export type TimeUnit = "seconds" | "hours";

export interface Cascade {
  /** The file stem, e.g. "RT17". */
  readonly name: string;
  readonly file: string;
  readonly unit: TimeUnit;
  /** Post time after the collection start, ms. */
  readonly startMs: number;
  readonly headerTotal: number;
  readonly posterFollowers: number;
  /** Hours after the post of each retweet, ascending. */
  readonly retweetHours: Float64Array;
}

/** Parses one cascade file's text (`file` names it in errors). */
export function parseCascade(text: string, file: string): Cascade {
  const lines = text.split(/\r?\n/);
  const rows: Array<readonly [number, number, string]> = [];
  let header: readonly [number, number] | undefined;
  lines.forEach((line, index) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === "") return;
    const numbers = fields.map(Number);
    const [first, second] = numbers;
    if (numbers.length !== 2 || first === undefined || second === undefined || !numbers.every(Number.isFinite)) {
      throw new ViralityError("VIR_TABLE_INVALID", `${file}: line ${index + 1} is "${line.trim()}"; expected two numbers.`, {
        details: { file, line: index + 1 },
      });
    }
    if (header === undefined) header = [first, second];
    else rows.push([first, second, fields[0] ?? ""]);
  });
  const [original, ...retweets] = rows;
  if (header === undefined || original === undefined) {
    throw new ViralityError("VIR_TABLE_INVALID", `${file}: no events; expected a header line and one line per event.`, {
      details: { file },
    });
  }
  const unit: TimeUnit = rows.every(([time]) => time <= OUTCOME_HOURS) && rows.some(([, , raw]) => raw.includes(".")) ? "hours" : "seconds";
  const toHours = unit === "hours" ? 1 : 1 / 3600;
  const retweetHours = Float64Array.from(retweets, ([time]) => time * toHours).sort();
  return {
    name: basename(file).replace(/\.txt$/, ""),
    file,
    unit,
    startMs: Math.round(header[1] * (unit === "hours" ? HOUR_MS : DAY_MS)),
    headerTotal: header[0],
    posterFollowers: original[1],
    retweetHours,
  };
}

/** Retweets at most `hours` after the post. */
export function countUpTo(cascade: Cascade, hours: number): number {
  const times = cascade.retweetHours;
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((times[middle] ?? Number.POSITIVE_INFINITY) <= hours) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Every *.txt cascade under `dir` (and its sub-folders), in natural name order. */
export async function readCascades(dir: string): Promise<Cascade[]> {
  const files = await cascadeFiles(dir);
  if (files.length === 0) {
    throw new ViralityError("VIR_CLI_USAGE", `${dir}: no cascade files (*.txt) found; point to the seismic-retweets folder.`, {
      details: { dir },
    });
  }
  const cascades: Cascade[] = [];
  for (const file of files) cascades.push(parseCascade(await readFile(file, "utf8"), file));
  const names = new Set<string>();
  for (const cascade of cascades) {
    if (names.has(cascade.name)) {
      throw new ViralityError("VIR_TABLE_INVALID", `${cascade.file}: a second cascade named "${cascade.name}"; file stems must be unique.`, {
        details: { file: cascade.file },
      });
    }
    names.add(cascade.name);
  }
  return cascades;
}

async function cascadeFiles(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
  } catch (error) {
    throw new ViralityError("VIR_CLI_USAGE", `${dir}: cannot read the SEISMIC folder (${describeCause(error)}).`, {
      cause: error,
      details: { dir },
    });
  }
  const found: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < 2) await walk(path, depth + 1);
      else if (entry.isFile() && entry.name.endsWith(".txt")) found.push(path);
    }
  };
  await walk(dir, 0);
  const collator = new Intl.Collator("en", { numeric: true });
  return found.sort((a, b) => collator.compare(relative(dir, a), relative(dir, b)));
}

function describeCause(error: unknown): string {
  if (error instanceof Error && "code" in error) return String(error.code);
  return error instanceof Error ? error.message : String(error);
}

/** The cascades under `dir` as a world (see the mapping above). */
export async function importSeismic(dir: string): Promise<World> {
  const cascades = await readCascades(dir);
  const videos = cascades.map(cascadeVideo).sort((a, b) => a.uploadedAt - b.uploadedAt || (a.videoId < b.videoId ? -1 : 1));
  const noDisorder = {
    embeddingInUpload: 1,
    embeddingBeforeUpload: 0,
    lateSnapshot: 0,
    duplicateSnapshot: 0,
    sixHourBeforeOneHour: 0,
    engagementBeforeUpload: 0,
  };
  return {
    description: `SEISMIC sample, ${cascades.length} cascades`,
    dim: SEISMIC_DIM,
    embeddingModel: SEISMIC_EMBEDDING,
    channels: cascades.map((cascade) => ({ channelId: `poster-${cascade.name}`, followers: cascade.posterFollowers, language: null })),
    videos,
    events: deliveries(videos, SEISMIC_EMBEDDING, noDisorder, Random.stream(0, "seismic-delivery")),
  };
}

function cascadeVideo(cascade: Cascade): WorldVideo {
  const uploadedAt = SEISMIC_EPOCH_MS + cascade.startMs;
  const snapshot = (hours: number): Snapshot => {
    const count = countUpTo(cascade, hours);
    return { views: count, likes: null, comments: null, shares: count, retention: null, observedAt: uploadedAt + hours * HOUR_MS };
  };
  const final = countUpTo(cascade, OUTCOME_HOURS);
  const hour = (cascade.startMs % DAY_MS) / HOUR_MS;
  const embedding = Float32Array.from([
    Math.log1p(cascade.posterFollowers) / 10,
    Math.sin((2 * Math.PI * hour) / 24),
    Math.cos((2 * Math.PI * hour) / 24),
    cascade.startMs / DAY_MS / 30,
  ]);
  return {
    videoId: `seismic-${cascade.name}`,
    channelId: `poster-${cascade.name}`,
    uploadedAt,
    durationSeconds: null,
    language: null,
    captions: null,
    clusterId: null,
    numericExtras: { poster_followers: cascade.posterFollowers },
    categoricalExtras: {},
    embedding,
    h1: snapshot(1),
    h6: snapshot(6),
    outcome: { views: final, likes: null, comments: null, shares: final },
    quality: null,
  };
}
