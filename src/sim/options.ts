/**
 * The simulator's knobs: schema, defaults and validation together. Unknown keys are rejected and every
 * problem names its key (VIR_CONFIG_INVALID). The generative model behind each knob is in ./README.md.
 */
import { z } from "zod";
import { ViralityError } from "../errors.js";

const share = z.number().min(0).max(1);

const disorderSchema = z
  .object({
    /** Share of uploads that carry the embedding inside the VideoUploaded event. */
    embeddingInUpload: share.default(0.6),
    /** Of the embeddings sent separately, the share delivered before their upload event. */
    embeddingBeforeUpload: share.default(0.3),
    /** Share of snapshots observed late: after the window's cutoff (window + 15 min grace). */
    lateSnapshot: share.default(0.05),
    /** Share of snapshots delivered twice (same event_id, same values). */
    duplicateSnapshot: share.default(0.03),
    /** Share of videos whose 1h snapshot is delivered after their 6h snapshot. */
    sixHourBeforeOneHour: share.default(0.02),
    /** Share of videos whose upload event is delivered after their 1h snapshot. */
    engagementBeforeUpload: share.default(0.02),
  })
  .strict();

export const simulationSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(42),
    videos: z.number().int().min(1).max(2_000_000).default(3000),
    channels: z.number().int().min(1).max(100_000).default(150),
    /** Embedding dimension (≥ 8: the latent content factors need room). */
    dim: z.number().int().min(8).max(4096).default(64),
    /** Uploads spread uniformly over this many weeks (by day; hour of day follows a daily profile). */
    weeks: z.number().min(1 / 7).max(520).default(6),
    /** The first possible upload time (ISO 8601, UTC). */
    start: z.iso.datetime().default("2025-01-06T00:00:00Z"),
    /** Content clusters (cluster_id c00 … and a topic direction in the embedding each). */
    clusters: z.number().int().min(1).max(1000).default(12),
    /** Shift of mean log views from the first to the last upload day (platform growth). */
    drift: z.number().min(-3).max(3).default(0.15),
    /** Standard deviation of the noise added to every embedding coordinate (signal is about unit scale). */
    embeddingNoise: z.number().min(0).max(100).default(0.9),
    disorder: disorderSchema.prefault({}),
  })
  .strict();

export type SimulationOptions = z.input<typeof simulationSchema>;
export type ResolvedSimulationOptions = z.output<typeof simulationSchema>;
export type DisorderOptions = ResolvedSimulationOptions["disorder"];

export const SIMULATION_DEFAULTS: ResolvedSimulationOptions = simulationSchema.parse({});

/** Validates once; every problem names its key. */
export function resolveSimulationOptions(options: SimulationOptions = {}): ResolvedSimulationOptions {
  const result = simulationSchema.safeParse(options);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key].join(".")) : [issue.path.join(".")];
    const what = issue.code === "unrecognized_keys" ? "unknown option" : issue.message;
    return keys.map((key) => `${key}: ${what}`).join("; ");
  });
  const first = result.error.issues[0];
  const firstKey =
    first === undefined ? "" : first.code === "unrecognized_keys" ? [...first.path, ...first.keys].join(".") : first.path.join(".");
  throw new ViralityError("VIR_CONFIG_INVALID", `invalid simulation options: ${problems.join("; ")}`, {
    details: { key: firstKey },
  });
}
