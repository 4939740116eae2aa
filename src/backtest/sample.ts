/**
 * A deterministic sample: the `limit` items whose id hashes smallest (FNV-1a, 32-bit). The same ids
 * give the same sample in any input order, and a video sampled from a set stays sampled in any
 * subset that contains it, so two backtests of overlapping videos plot comparable points.
 */
import { compareIds } from "./order.js";

export const SCATTER_LIMIT = 2000;

export function sampleById<T>(items: readonly T[], idOf: (item: T) => string, limit: number): T[] {
  const keyed = items.map((item) => ({ item, id: idOf(item), hash: fnv1a(idOf(item)) }));
  const chosen =
    keyed.length <= limit ? keyed : keyed.sort((a, b) => a.hash - b.hash || compareIds(a.id, b.id)).slice(0, limit);
  return chosen.sort((a, b) => compareIds(a.id, b.id)).map(({ item }) => item);
}

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
