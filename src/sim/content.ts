/**
 * Content and its embedding. Each video has a hidden quality latent q and four style factors; the
 * embedding carries them through eight orthonormal directions, some of them non-linear in q
 * (tanh(1.5 q), q × style, q² − 1), plus its cluster's centroid and isotropic noise. Quality drives
 * views (./audience.ts), so content alone predicts views partially: the noise hides part of q, and the
 * luck and channel terms of the audience model are not in the embedding at all.
 */
import type { Random } from "./random.js";

/** The latent directions with video-specific signal. */
const SIGNAL_DIRECTIONS = 8;
const CENTROID_SD = 0.7;

export interface ContentSpace {
  readonly dim: number;
  /** SIGNAL_DIRECTIONS orthonormal columns of length dim, column-major. */
  readonly directions: Float64Array;
  /** One centroid of length dim per cluster (orthogonal to the signal directions), row-major. */
  readonly centroids: Float64Array;
}

export interface Content {
  readonly quality: number;
  readonly style: readonly [number, number, number, number];
  readonly cluster: number;
}

export function makeContentSpace(random: Random, dim: number, clusters: number): ContentSpace {
  const directions = new Float64Array(SIGNAL_DIRECTIONS * dim);
  for (let j = 0; j < SIGNAL_DIRECTIONS; j++) {
    const column = directions.subarray(j * dim, (j + 1) * dim);
    for (let i = 0; i < dim; i++) column[i] = random.normal();
    orthogonalize(column, directions, j, dim);
    normalize(column);
  }
  const centroids = new Float64Array(clusters * dim);
  for (let k = 0; k < clusters; k++) {
    const centroid = centroids.subarray(k * dim, (k + 1) * dim);
    for (let i = 0; i < dim; i++) centroid[i] = random.gaussian(0, CENTROID_SD);
    orthogonalize(centroid, directions, SIGNAL_DIRECTIONS, dim);
  }
  return { dim, directions, centroids };
}

/** Removes from `vector` its components along the first `count` columns of `basis` (Gram–Schmidt). */
function orthogonalize(vector: Float64Array, basis: Float64Array, count: number, dim: number): void {
  for (let j = 0; j < count; j++) {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += (vector[i] ?? 0) * (basis[j * dim + i] ?? 0);
    for (let i = 0; i < dim; i++) vector[i] = (vector[i] ?? 0) - dot * (basis[j * dim + i] ?? 0);
  }
}

function normalize(vector: Float64Array): void {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) return;
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
}

/** The coordinates of a video's content along the signal directions. */
export function latentSignal(content: Content): readonly number[] {
  const q = content.quality;
  const [s1, s2, s3, s4] = content.style;
  return [q, 1.2 * Math.tanh(1.5 * q), q * s1, 0.7 * (q * q - 1), s1, s2, s3, s4];
}

export function embed(space: ContentSpace, content: Content, noiseSd: number, random: Random): Float32Array {
  const { dim, directions, centroids } = space;
  const out = new Float32Array(dim);
  const signal = latentSignal(content);
  const centroidOffset = content.cluster * dim;
  for (let i = 0; i < dim; i++) {
    let value = centroids[centroidOffset + i] ?? 0;
    for (let j = 0; j < SIGNAL_DIRECTIONS; j++) value += (signal[j] ?? 0) * (directions[j * dim + i] ?? 0);
    out[i] = value + noiseSd * random.normal();
  }
  return out;
}
