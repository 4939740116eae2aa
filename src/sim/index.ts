/** The simulator and the SEISMIC importer: worlds written as the real inputs. See ./README.md. */
export { simulateWorld } from "./world.js";
export { writeWorld, type WorldFiles } from "./write.js";
export { eventsInOrder } from "./delivery.js";
export { worldTable } from "./table.js";
export { importSeismic, parseCascade, countUpTo, type Cascade } from "./seismic.js";
export {
  simulateCommand,
  importSeismicCommand,
  type SimulateCommandOptions,
  type ImportSeismicCommandOptions,
  type WorldSummary,
} from "./commands.js";
export {
  SIMULATION_DEFAULTS,
  resolveSimulationOptions,
  type SimulationOptions,
  type ResolvedSimulationOptions,
  type DisorderOptions,
} from "./options.js";
export { Random } from "./random.js";
export { TOPICS, type Topic, type TopicEvent, type World, type WorldVideo, type WorldChannel, type Snapshot, type Counts } from "./types.js";
