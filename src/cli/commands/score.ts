/**
 * `virality score`: run a scorer until SIGTERM/SIGINT, serving /metrics, /healthz and /readyz.
 * On a signal it finishes the batch in flight, commits, and disconnects.
 */
import type { Command } from "commander";
import type { Config } from "../../config.js";
import { Scorer } from "../../ingest/scorer.js";
import { createLogger } from "../../logger.js";
import { startHttp } from "../../ops/http.js";
import { ScorerMetrics } from "../../ops/metrics.js";

export function registerScore(program: Command, configOf: (command: Command) => Promise<Config>): void {
  program
    .command("score")
    .description("consume uploads, embeddings and engagement; keep features in Redis; publish scores and alerts")
    .option("--from-beginning", "a new consumer group starts at the beginning of the topics", false)
    .action(async (options: { fromBeginning: boolean }, command: Command) => {
      const config = await configOf(command);
      const logger = createLogger(config.log.level);
      const metrics = new ScorerMetrics();
      const scorer = new Scorer(config, logger, { metrics, fromBeginning: options.fromBeginning });
      const server = await startHttp(config.http.host, config.http.port, metrics, { live: () => scorer.live, ready: () => scorer.ready });
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, "stopping: finishing the batch in flight");
        void scorer
          .stop()
          .then(() => new Promise<void>((resolve) => server.close(() => resolve())))
          .then(() => process.exit(0))
          .catch((error: unknown) => {
            logger.error({ err: error }, "error while stopping");
            process.exit(1);
          });
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
      await scorer.start();
      logger.info({ metrics: `http://${config.http.host}:${config.http.port}/metrics` }, "scoring");
    });
}
