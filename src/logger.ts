/**
 * Logging with pino: JSON lines on stdout (or any stream: tests pass an in-memory one).
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";

export type { Logger } from "pino";

export function createLogger(level: LevelWithSilent = "info", destination?: DestinationStream): Logger {
  const options = { level, base: { service: "virality" }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination === undefined ? pino(options) : pino(options, destination);
}
