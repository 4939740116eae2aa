/**
 * Which videos a trained model never saw, for the bundle's `heldOut`: a backtest evaluates on these
 * alone, since the train and calibration rows flatter the model.
 *
 *  - A time split gives "uploadedFrom": the earliest upload time of the test rows, when every train
 *    and calibration row is strictly older. When a training row ties with the oldest test rows, the
 *    boundary moves to the next strictly later test upload time (the tied test rows then count as
 *    seen). Without any test row strictly newer than every seen row, it gives the ids instead.
 *  - A random split gives "videos": the test rows' ids.
 *  - A video id that also names a train or calibration row (a table may hold a video twice) is never
 *    held out: its ids are listed without it, and a time split falls back to listing ids.
 */
import type { HeldOut } from "../../src/model/bundle.js";
import type { Split } from "./splits.js";

/** ids: the video id of every row the split indexes; uploadedAt: their upload times, needed for a time split. */
export function heldOutOf(split: Split, ids: readonly string[], uploadedAt: ArrayLike<number> | null): HeldOut {
  const seenIds = new Set<string>();
  for (const part of [split.train, split.calibration]) for (const row of part) seenIds.add(idAt(ids, row));
  const testIds = Array.from(split.test, (row) => idAt(ids, row));
  const unseenIds = (): HeldOut => ({ kind: "videos", ids: [...new Set(testIds.filter((id) => !seenIds.has(id)))].sort() });
  if (split.kind === "random" || testIds.some((id) => seenIds.has(id))) return unseenIds();
  if (uploadedAt === null) throw new RangeError("a time split's held-out videos need the upload times of its rows");

  let newestSeen = Number.NEGATIVE_INFINITY;
  for (const part of [split.train, split.calibration]) for (const row of part) newestSeen = Math.max(newestSeen, timeAt(uploadedAt, row));
  let from = Number.POSITIVE_INFINITY;
  for (const row of split.test) {
    const t = timeAt(uploadedAt, row);
    if (t > newestSeen && t < from) from = t;
  }
  if (from === Number.POSITIVE_INFINITY) return unseenIds();
  let rows = 0;
  for (const row of split.test) if (timeAt(uploadedAt, row) >= from) rows++;
  return { kind: "uploadedFrom", at: from, rows };
}

function idAt(ids: readonly string[], row: number): string {
  const id = ids[row];
  if (id === undefined) throw new RangeError(`split row ${row} is outside the ${ids.length} ids`);
  return id;
}

function timeAt(uploadedAt: ArrayLike<number>, row: number): number {
  const t = uploadedAt[row];
  if (t === undefined || !Number.isFinite(t)) throw new RangeError(`split row ${row} has no upload time`);
  return t;
}
