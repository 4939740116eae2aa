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
export interface HeldEmbedding {
  readonly eventTime: number;
  readonly values: Float32Array;
}

export class EmbeddingCache {
  readonly #maxBytes: number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, HeldEmbedding>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(videoId: string): HeldEmbedding | undefined {
    const entry = this.#entries.get(videoId);
    if (entry !== undefined) {
      this.#entries.delete(videoId);
      this.#entries.set(videoId, entry);
    }
    return entry;
  }

  set(videoId: string, entry: HeldEmbedding): void {
    const old = this.#entries.get(videoId);
    if (old !== undefined) {
      this.#bytes -= old.values.byteLength;
      this.#entries.delete(videoId);
    }
    if (entry.values.byteLength > this.#maxBytes) return;
    this.#entries.set(videoId, entry);
    this.#bytes += entry.values.byteLength;
    for (const [id, oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(id);
      this.#bytes -= oldest.values.byteLength;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
