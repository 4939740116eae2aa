/**
 * writeWorld: a world as the real inputs — fused.pt, features.csv, features.parquet — plus
 * events.jsonl, one delivery per line in delivery order: {"topic", "key", "at", "value"}.
 * The same world always gives byte-identical files.
 */
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFused } from "../io/fused.js";
import { writeTable } from "../io/tables/write.js";
import { eventsInOrder } from "./delivery.js";
import { worldTable } from "./table.js";
import type { World } from "./types.js";

export interface WorldFiles {
  readonly fused: string;
  readonly csv: string;
  readonly parquet: string;
  readonly events: string;
}

export async function writeWorld(world: World, dir: string): Promise<WorldFiles> {
  await mkdir(dir, { recursive: true });
  const files: WorldFiles = {
    fused: join(dir, "fused.pt"),
    csv: join(dir, "features.csv"),
    parquet: join(dir, "features.parquet"),
    events: join(dir, "events.jsonl"),
  };
  const ids = world.videos.map((video) => video.videoId);
  const data = new Float32Array(ids.length * world.dim);
  world.videos.forEach((video, row) => data.set(video.embedding, row * world.dim));
  await writeFused(files.fused, ids, world.dim, data);
  const table = worldTable(world, files.csv);
  await writeTable(files.csv, table);
  await writeTable(files.parquet, table);
  await writeEvents(world, files.events);
  return files;
}

const LINES_PER_WRITE = 2000;

async function writeEvents(world: World, path: string): Promise<void> {
  const temporary = `${path}.${process.pid}.partial`;
  const handle = await open(temporary, "w");
  try {
    const events = eventsInOrder(world);
    for (let start = 0; start < events.length; start += LINES_PER_WRITE) {
      const lines = events
        .slice(start, start + LINES_PER_WRITE)
        .map(({ topic, key, at, value }) => JSON.stringify({ topic, key, at, value }) + "\n");
      await handle.write(lines.join(""));
    }
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
}
