import type { PtReadOptions } from "./types.js";

/** PtReadOptions with every default filled in. */
export interface ResolvedOptions {
  readonly maxElements: number;
  readonly maxDepth: number;
  readonly verifyStorageCrc: boolean;
}

export const DEFAULT_OPTIONS: ResolvedOptions = {
  maxElements: 2 ** 32 - 1,
  maxDepth: 1000,
  verifyStorageCrc: false,
};

export function resolveOptions(options: PtReadOptions = {}): ResolvedOptions {
  return {
    maxElements: options.maxElements ?? DEFAULT_OPTIONS.maxElements,
    maxDepth: options.maxDepth ?? DEFAULT_OPTIONS.maxDepth,
    verifyStorageCrc: options.verifyStorageCrc ?? DEFAULT_OPTIONS.verifyStorageCrc,
  };
}
