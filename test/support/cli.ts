/** Runs the real CLI (`node dist/src/cli/main.js …`) as a process, configured only through VIRALITY_* variables. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { envOfConfig, type Config } from "../../src/config.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(config: Config, args: readonly string[], timeoutMs = 120_000): Promise<CliRun> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VIRALITY_")));
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...inherited, ...envOfConfig(config) }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`virality ${args.join(" ")} did not finish in ${timeoutMs / 1000} s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
