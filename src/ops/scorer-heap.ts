/**
 * V8 heap settings for the `virality score` process (not for programs that embed the Scorer class:
 * these flags are process-wide). Both are read by V8 while it runs, so setting them at start-up of the
 * command is enough. Measured in bench/README.md (scorer-load, sessions 11 and 13).
 */
import { setFlagsFromString } from "node:v8";

/**
 * A catch-up (thousands of events a batch, each batch alive for a good part of a second) teaches V8 to
 * allocate the batch path's objects straight into the old generation ("allocation-site pretenuring"),
 * and it keeps doing so once batches are small and short-lived again: the old generation then fills
 * with garbage and a mark-compact runs every ~1.2 s, each a few ms of pause on the batch path.
 */
const NO_PRETENURING = "--no-allocation-site-pretenuring";

/**
 * Once V8's memory reducer has given a burst's memory back, V8 grows the old generation slowly: at 10,000
 * events/s the scorer's ~42 MB of live objects then got a mark-compact every 0.5–2 s (at 48–65 MB of
 * heap), and their marking steps and pauses land on batches. A fixed factor of 3 spaced them 15–20 s
 * apart while the memory reducer still shrinks the heap when idle.
 */
const GROWING_PERCENT = "--heap-growing-percent";
const GROWING_PERCENT_VALUE = 200;

/** The flags to set for a process started with `execArgv`; a setting given on the command line wins. */
export function scorerHeapFlags(execArgv: readonly string[]): string[] {
  // V8 reads `_` and `-` alike in a flag's name
  const names = new Set(execArgv.map((arg) => (arg.split("=")[0] ?? arg).replaceAll("_", "-")));
  const flags = [NO_PRETENURING];
  if (!names.has(GROWING_PERCENT)) flags.push(`${GROWING_PERCENT}=${GROWING_PERCENT_VALUE}`);
  return flags;
}

/** Applies scorerHeapFlags to this process. */
export function tuneHeapForScoring(execArgv: readonly string[] = process.execArgv): string[] {
  const flags = scorerHeapFlags(execArgv);
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}
