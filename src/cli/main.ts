#!/usr/bin/env node
/**
 * The `virality` command line. Each subcommand lives in its own module; this file only wires them.
 */
import { Command, CommanderError } from "commander";
import { loadConfig, type Config } from "../config.js";
import { describe as describeError, isViralityError } from "../errors.js";
import { createLogger } from "../logger.js";
import { LOCAL_DEFAULTS, discoverServices } from "../ops/services.js";
import { registerDemo } from "./commands/demo.js";
import { registerModels } from "./commands/models.js";
import { registerPredict } from "./commands/predict.js";
import { registerProduce } from "./commands/produce.js";
import { registerPt } from "./commands/pt.js";
import { registerScore } from "./commands/score.js";
import { registerTrain } from "./commands/train.js";
import { smokeRoundTrip } from "./smoke.js";

const program = new Command("virality")
  .description("Predict how well a short video will perform, and keep the prediction fresh as engagement arrives.")
  .option("-c, --config <file>", "options file (JSON or YAML); env variables override it")
  .showHelpAfterError();

function configFor(command: Command): Config {
  const file: unknown = command.optsWithGlobals()["config"];
  return loadConfig({ file: typeof file === "string" ? file : undefined });
}

/** The config; when it points at the local stack's addresses, the stack is started if nothing answers. */
async function configWithServices(command: Command): Promise<Config> {
  const config = configFor(command);
  const local =
    config.kafka.brokers.join(",") === LOCAL_DEFAULTS.kafka &&
    config.registry.url === LOCAL_DEFAULTS.registry &&
    config.redis.url === LOCAL_DEFAULTS.redis;
  if (local) await discoverServices({ env: {}, onLine: (line) => process.stderr.write(`${line}\n`) });
  return config;
}

program
  .command("smoke")
  .description("round trip through Kafka, the schema registry and Redis (starts the local stack when nothing answers)")
  .action(async (_options: unknown, command: Command) => {
    const config = await configWithServices(command);
    const result = await smokeRoundTrip(config, createLogger(config.log.level));
    console.log(`smoke ok in ${result.roundTripMs} ms: ${result.decoded.join(", ")} via ${config.kafka.brokers.join(",")}, ${config.registry.url}, ${config.redis.url}`);
  });

registerPt(program);
registerTrain(program);
registerPredict(program);
registerModels(program, configWithServices);
registerScore(program, configWithServices);
registerDemo(program, configWithServices);
registerProduce(program, configWithServices);

async function main(): Promise<void> {
  program.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = describeError(error);
    console.error(`virality: ${message}`);
    if (isViralityError(error) && error.cause !== undefined) console.error(`  cause: ${describeError(error.cause)}`);
    // exit now: a command that failed half-way (a scorer whose port was taken) may hold Redis and Kafka
    // clients that would keep the process alive, doing nothing
    process.exit(isViralityError(error) && error.code === "VIR_CLI_USAGE" ? 2 : 1);
  }
}

await main();
