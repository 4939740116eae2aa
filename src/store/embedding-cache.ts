/**
 * The embeddings of recently written videos, each with the event time it is stored under in Redis,
 * least recently used first out when over a byte budget. The guarded-write script leaves the
 * embedding's bytes out of its reply when the caller holds the stored one (same event time): an
 * engagement event then costs Redis, the socket and the decoder ~300 bytes instead of 4·d more.
 *
 * An embedding only ever changes with a newer event time (the write guard), so (video, event time)
 * names its bytes; entries are taken only from what Redis returned, never from a write that may
 * have lost to an older-or-equal stored time.
 */
import { RecentlyUsed } from "./recently-used.js";

export interface HeldEmbedding {
  readonly eventTime: number;
  readonly values: Float32Array;
}

/** Held embeddings by video id within a byte budget (see RecentlyUsed). */
export class EmbeddingCache extends RecentlyUsed<HeldEmbedding> {
  constructor(maxBytes: number) {
    super(maxBytes, (entry) => entry.values.byteLength);
  }

  get bytes(): number {
    return this.cost;
  }
}
