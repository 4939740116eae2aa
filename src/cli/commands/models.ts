/** `virality models publish|list|show|rollback`: the model registry in Redis. */
import type { Command } from "commander";
import type { Config } from "../../config.js";
import { rescoreAll } from "../../ingest/scorer.js";
import { createLogger } from "../../logger.js";
import { loadBundle } from "../../model/bundle.js";
import { Predictor } from "../../model/predictor.js";
import { ModelRegistry } from "../../store/model-registry.js";
import { createRedis } from "../../store/redis.js";

async function withRegistry<T>(config: Config, work: (registry: ModelRegistry) => Promise<T>): Promise<T> {
  const redis = createRedis(config);
  try {
    return await work(new ModelRegistry(redis, config.redis.keyPrefix));
  } finally {
    redis.disconnect();
  }
}

export function registerModels(program: Command, configOf: (command: Command) => Promise<Config>): void {
  const models = program.command("models").description("published model bundles (Redis): running scorers switch within seconds");
  models
    .command("publish")
    .description("store a bundle under its version and make it current")
    .argument("<bundle>", "model.json from `virality train`")
    .option("--rescore-all", "re-score every cached video with the new model now", false)
    .action(async (file: string, options: { rescoreAll: boolean }, command: Command) => {
      const config = await configOf(command);
      const bundle = await loadBundle(file);
      await withRegistry(config, (registry) => registry.publish(bundle));
      console.log(`published ${bundle.version} (stages: ${Object.keys(bundle.stages).join(", ")}) as current`);
      if (options.rescoreAll) {
        const { scored, unscorable } = await rescoreAll(config, new Predictor(bundle), createLogger(config.log.level));
        console.log(`re-scored ${scored} cached videos with ${bundle.version}`);
        if (unscorable.length > 0) {
          console.log(
            `skipped ${unscorable.length} cached videos ${bundle.version} cannot score with their stored inputs; they are scored again when their inputs change:`,
          );
          for (const { videoId, reason } of unscorable.slice(0, 10)) console.log(`  ${videoId}: ${reason}`);
          if (unscorable.length > 10) console.log(`  … and ${unscorable.length - 10} more`);
        }
      }
    });
  models
    .command("list")
    .description("every published version, oldest first; * marks the current one")
    .action(async (_options: unknown, command: Command) => {
      const config = await configOf(command);
      const list = await withRegistry(config, (registry) => registry.list());
      if (list.length === 0) console.log("no models published");
      for (const m of list) console.log(`${m.current ? "*" : " "} ${m.version}  ${new Date(m.publishedAt).toISOString()}`);
    });
  models
    .command("show")
    .description("a published bundle's target, stages and metrics (default: the current one)")
    .argument("[version]")
    .action(async (version: string | undefined, _options: unknown, command: Command) => {
      const config = await configOf(command);
      const bundle = await withRegistry(config, async (registry) => {
        const v = version ?? (await registry.currentVersion());
        if (v === null) return null;
        return registry.load(v);
      });
      if (bundle === null) {
        console.log("no current model");
        return;
      }
      const stages = Object.fromEntries(Object.entries(bundle.stages).map(([s, m]) => [s, { trees: m.trees.treeRoots.length, baseMargin: m.baseMargin.kind, conformal: m.conformal, metrics: m.metrics }]));
      const heldOut =
        bundle.heldOut === undefined
          ? "not recorded (format 1): a backtest judges every video, in-sample"
          : bundle.heldOut.kind === "uploadedFrom"
            ? { uploadedFrom: new Date(bundle.heldOut.at).toISOString(), testRows: bundle.heldOut.rows }
            : { videos: bundle.heldOut.ids.length };
      console.log(
        JSON.stringify(
          { version: bundle.version, formatVersion: bundle.formatVersion, createdAt: bundle.createdAt, target: bundle.target, embeddingDim: bundle.spec.embeddingDim, fingerprint: bundle.fingerprint, heldOut, stages },
          null,
          2,
        ),
      );
    });
  models
    .command("rollback")
    .description("make the model published before the current one current again")
    .action(async (_options: unknown, command: Command) => {
      const config = await configOf(command);
      const version = await withRegistry(config, (registry) => registry.rollback());
      console.log(`current model is now ${version}`);
    });
}
