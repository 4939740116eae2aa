/**
 * What a generator script does with its output: write it, or with `--check` in argv exit 1 when the
 * committed file differs (the same check the tests run).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** `relativePath` under the repository's `root`; `command` is what regenerates it (for the message). */
export function writeOrCheck(root: string, relativePath: string, text: string, command: string): void {
  const target = path.join(root, relativePath);
  if (process.argv.includes("--check")) {
    if (readFileSync(target, "utf8") !== text) {
      console.error(`${relativePath} is stale: run \`${command}\``);
      process.exit(1);
    }
    console.log(`${relativePath} is up to date`);
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${relativePath}`);
  }
}
