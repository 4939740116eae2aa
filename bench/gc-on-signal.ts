/**
 * Preloaded into the scorer by bench/scorer-load.ts (`node --expose-gc --import …/gc-on-signal.js`):
 * SIGUSR2 runs a full garbage collection, so that the bench can read the scorer's RSS in a collected
 * state instead of at an arbitrary point of the GC sawtooth. Bench only: the product never loads it.
 */
process.on("SIGUSR2", () => {
  if (typeof gc === "function") gc();
});
