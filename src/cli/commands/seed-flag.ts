/** `--seed`, shared by the commands that take one. */
import { InvalidArgumentError } from "commander";

/** A seed: any 32-bit unsigned integer, 0 included (the random streams and the GBDT use seed >>> 0). */
export function parseSeed(text: string): number {
  const n = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new InvalidArgumentError(`--seed must be a whole number from 0 to 4294967295, got "${text}"`);
  return n;
}
