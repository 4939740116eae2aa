/**
 * The worker thread of the table fuzzer (table-fuzz-cases.ts): reads each file it is sent with
 * readTable and posts back what happened. It runs apart from the fuzzer so that a reader stuck in a
 * synchronous loop can be timed out and terminated, and the run goes on with the next case.
 */
import { parentPort } from "node:worker_threads";
import { isViralityError } from "../../../src/errors.js";
import { readTable, type Table } from "../../../src/io/tables/index.js";

export type WorkerOutcome =
  | { readonly kind: "parsed" }
  | { readonly kind: "bad-table"; readonly problem: string }
  | { readonly kind: "refused"; readonly code: string; readonly message: string; readonly file: string | undefined }
  | { readonly kind: "crash"; readonly error: string };

/** A parsed table must hold together: every column (and the CSV line list) has rowCount entries. */
function inconsistency(table: Table): string | undefined {
  if (!Number.isSafeInteger(table.rowCount) || table.rowCount < 0) return `rowCount ${table.rowCount}`;
  for (const column of table.columns) {
    if (column.values.length !== table.rowCount) return `column "${column.name}" has ${column.values.length} values, rowCount ${table.rowCount}`;
  }
  if (table.lines !== undefined && table.lines.length !== table.rowCount) return `${table.lines.length} line numbers, rowCount ${table.rowCount}`;
  if (table.byName.size !== table.columns.length) return `${table.columns.length} columns but ${table.byName.size} names`;
  return undefined;
}

async function outcomeOf(file: string): Promise<WorkerOutcome> {
  try {
    const problem = inconsistency(await readTable(file));
    return problem === undefined ? { kind: "parsed" } : { kind: "bad-table", problem };
  } catch (error) {
    if (isViralityError(error)) {
      const named = error.details["file"];
      return { kind: "refused", code: error.code, message: error.message, file: typeof named === "string" ? named : undefined };
    }
    return { kind: "crash", error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) };
  }
}

/** File-system work still in flight: a reader that returned may have left reads (and their errors) behind. */
function fileWorkPending(): boolean {
  return process.getActiveResourcesInfo().some((name) => name.startsWith("FS") || name.includes("Close") || name === "FileHandle");
}

const QUIET_MS = 1_000;

/** Waits until the reader's leftover file reads are done, so whatever they throw is pinned to this case. */
async function quiet(): Promise<void> {
  const until = Date.now() + QUIET_MS;
  do await new Promise((resolve) => setImmediate(resolve));
  while (fileWorkPending() && Date.now() < until);
}

/** Errors nobody awaited (a promise the reader left behind): each one is a crash of the current case. */
const stray: string[] = [];
const recordStray = (error: unknown): void => {
  stray.push(error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error));
};
process.on("unhandledRejection", recordStray);
process.on("uncaughtException", recordStray);

const port = parentPort;
if (port !== null) {
  port.on("message", (file: unknown) => {
    if (typeof file !== "string") return;
    void (async () => {
      stray.length = 0;
      const outcome = await outcomeOf(file);
      await quiet();
      const escaped = stray.splice(0);
      port.postMessage(
        escaped.length === 0 ? outcome : { kind: "crash", error: `after readTable settled (${outcome.kind}), an error escaped it: ${escaped.join("\n")}` },
      );
    })();
  });
}
