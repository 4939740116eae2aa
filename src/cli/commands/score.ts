/**
 * `virality score`: run a scorer until SIGTERM/SIGINT, serving /metrics, /healthz and /readyz.
 * On a signal it finishes the batch in flight, commits, and disconnects. When its consumer stops for
 * good (an error kafkajs does not restart after), it says why and exits with code 1.
 */
import type { Command } from "commander";
import type { Config } from "../../config.js";
import { describe } from "../../errors.js";
import { Scorer } from "../../ingest/scorer.js";
import { createLogger } from "../../logger.js";
import { startHttp } from "../../ops/http.js";
import { ScorerMetrics } from "../../ops/metrics.js";
import { tuneHeapForScoring } from "../../ops/scorer-heap.js";

export function registerScore(program: Command, configOf: (command: Command) => Promise<Config>): void {
  program
    .command("score")
    .description("consume uploads, embeddings and engagement; keep features in Redis; publish scores and alerts")
    .option("--from-beginning", "a new consumer group starts at the beginning of the topics", false)
    .action(async (options: { fromBeginning: boolean }, command: Command) => {
      const config = await configOf(command);
      const logger = createLogger(config.log.level);
      // V8 heap settings for this process alone (src/ops/scorer-heap.ts)
      const heapFlags = tuneHeapForScoring();
      const metrics = new ScorerMetrics();
      let stopping = false;
      const stop = (reason: string, exitCode: number): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ reason }, "stopping: finishing the batch in flight");
        void scorer
          .stop()
          .then(() => new Promise<void>((resolve) => server.close(() => resolve())))
          .then(() => process.exit(exitCode))
          .catch((error: unknown) => {
            logger.error({ err: error }, "error while stopping");
            process.exit(1);
          });
      };
      const scorer = new Scorer(config, logger, {
        metrics,
        fromBeginning: options.fromBeginning,
        onFatal: (error) => {
          // alive but consuming nothing helps no one: exit, so a supervisor (systemd, Kubernetes) restarts it
          logger.fatal(
            { err: describe(error) },
            "the consumer stopped for good (an error no retry can fix): exiting with code 1; fix the cause and restart, the scorer resumes at the group's committed offsets",
          );
          stop("unrecoverable error", 1);
        },
      });
      const server = await startHttp(config.http.host, config.http.port, metrics, { live: () => scorer.live, ready: () => scorer.ready });
      process.once("SIGTERM", () => stop("SIGTERM", 0));
      process.once("SIGINT", () => stop("SIGINT", 0));
      await scorer.start();
      logger.info({ metrics: `http://${config.http.host}:${config.http.port}/metrics`, v8Flags: heapFlags }, "scoring");
    });
}
