/** A bench's numeric option `--name N`: the fallback when it is absent, not a number, not positive (or, with `integer`, not whole). */
export function positiveArg(name: string, fallback: number, integer = false): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value)) ? value : fallback;
}
