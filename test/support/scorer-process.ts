/**
 * A real `virality score` process for fault tests: spawned from the compiled CLI, configured only
 * through VIRALITY_* environment variables, its pino JSON logs parsed as they arrive, and killed (by
 * its own pid) when the test ends or the test process exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { envOfConfig, type Config } from "../../src/config.js";
import { isRecord } from "../../src/json-guards.js";
import { freePort } from "../../src/ops/free-port.js";

/** One parsed pino line of the child's stdout (lines that are not JSON objects are kept as `msg`). */
export type LogLine = Record<string, unknown> & { readonly msg: string };

export interface ScorerProcess {
  readonly child: ChildProcess;
  /** The port of its /metrics, /healthz and /readyz. */
  readonly port: number;
  /** Every stdout line so far, parsed; stderr lines land here too, as `{ stream: "stderr", msg }`. */
  readonly logs: LogLine[];
  /** Settles when the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (default SIGKILL) unless the process already exited, and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The sum of a metric's samples on its /metrics (every label set), or null while nothing answers there. */
  metric(name: string): Promise<number | null>;
  /** Not exited yet. */
  readonly running: boolean;
  /** Settles as `work` does, unless the process exits first: then rejects with its last log lines. */
  whileRunning<T>(work: Promise<T>): Promise<T>;
  /** Its last `count` log lines, one a line (for failure messages). */
  tail(count?: number): string;
  /** Resolves with the first log line whose `msg` is `msg` (already seen or still to come); rejects if the process exits first. */
  waitForLog(msg: string): Promise<LogLine>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});


function parseLine(line: string, stream: "stdout" | "stderr"): LogLine {
  try {
    const value: unknown = JSON.parse(line);
    if (isRecord(value) && typeof value["msg"] === "string") return { ...value, msg: value["msg"] };
  } catch {
    // not JSON: kept as text below
  }
  return { stream, msg: line };
}

/**
 * Spawns `node dist/src/cli/main.js score --from-beginning` with the config's topics, group, key
 * prefix and services, serving HTTP on `port` and logging at info. A new group starts at the
 * beginning of the topics; a restarted one resumes from its committed offsets.
 */
export function spawnScorer(config: Config, port: number): ScorerProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VIRALITY_")));
  const env = {
    ...inherited,
    ...envOfConfig({ ...config, http: { ...config.http, port }, log: { level: "info" } }),
  };
  const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
  const child = spawn(process.execPath, [main, "score", "--from-beginning"], { env, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  const logs: LogLine[] = [];
  const waiters: Array<{ msg: string; resolve: (line: LogLine) => void }> = [];
  const collect = (stream: "stdout" | "stderr", input: NodeJS.ReadableStream): void => {
    createInterface({ input }).on("line", (text) => {
      if (text.trim() === "") return;
      const line = parseLine(text, stream);
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
  };
  if (child.stdout !== null) collect("stdout", child.stdout);
  if (child.stderr !== null) collect("stderr", child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const tail = (count = 20): string =>
    logs
      .slice(-count)
      .map((l) => `  ${JSON.stringify(l)}`)
      .join("\n");
  return {
    child,
    port,
    logs,
    exited,
    tail,
    get running() {
      return isRunning();
    },
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (isRunning()) child.kill(signal);
      await exited;
    },
    async metric(name) {
      let text: string;
      try {
        const response = await fetch(`http://${config.http.host}:${port}/metrics`);
        text = await response.text();
      } catch {
        return null;
      }
      let sum = 0;
      for (const line of text.split("\n")) {
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)$/.exec(line);
        if (match?.[1] === name) sum += Number(match[2]);
      }
      return sum;
    },
    whileRunning(work) {
      const died = exited.then(({ code, signal }): never => {
        throw new Error(`scorer ${child.pid ?? "?"} exited (code ${code}, signal ${signal}); last lines:\n${tail()}`);
      });
      return Promise.race([work, died]);
    },
    waitForLog(msg) {
      const seen = logs.find((l) => l.msg === msg);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ msg, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`scorer ${child.pid ?? "?"} exited (code ${code}, signal ${signal}) before logging "${msg}"; last lines:\n${tail()}`)),
        );
      });
    },
  };
}

/** How long a starting scorer may take to serve /metrics before the test gives up with its log. */
const START_TIMEOUT_MS = 60_000;

/**
 * Spawns a scorer on a free port and waits until its HTTP endpoint answers (at most START_TIMEOUT_MS,
 * then the test fails with its log). The port is free when
 * picked but may be taken before the child binds it (the child's own outgoing connections draw from
 * the same range): then the child exits naming EADDRINUSE and another port is tried.
 */
export async function startScorerProcess(config: Config, attempts = 3): Promise<ScorerProcess> {
  for (let attempt = 1; ; attempt++) {
    const scorer = spawnScorer(config, await freePort());
    const since = Date.now();
    while (scorer.running && (await scorer.metric("virality_events_in_total")) === null) {
      if (Date.now() - since > START_TIMEOUT_MS) {
        await scorer.kill("SIGKILL");
        throw new Error(`scorer ${scorer.child.pid ?? "?"} did not answer on /metrics within ${START_TIMEOUT_MS} ms; last lines:\n${scorer.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (scorer.running) return scorer;
    await scorer.exited;
    if (attempt >= attempts || !scorer.logs.some((l) => l.msg.includes("EADDRINUSE"))) {
      throw new Error(`scorer ${scorer.child.pid ?? "?"} exited while starting; last lines:\n${scorer.tail()}`);
    }
  }
}
