/** The scorer's Prometheus metrics (prom-client), on one registry per scorer instance. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class ScorerMetrics {
  readonly registry = new Registry();
  readonly eventsIn = new Counter({ name: "virality_events_in_total", help: "Events consumed, by topic", labelNames: ["topic"], registers: [this.registry] });
  readonly scoresOut = new Counter({ name: "virality_scores_out_total", help: "Scores published, by stage", labelNames: ["stage"], registers: [this.registry] });
  readonly alertsOut = new Counter({ name: "virality_alerts_out_total", help: "Upside alerts published", registers: [this.registry] });
  readonly deadLetters = new Counter({ name: "virality_dead_letters_total", help: "Messages sent to the dead-letter topic, by code", labelNames: ["code"], registers: [this.registry] });
  readonly lag = new Gauge({ name: "virality_consumer_lag", help: "Messages behind the end of each partition", labelNames: ["topic", "partition"], registers: [this.registry] });
  readonly latency = new Histogram({
    name: "virality_event_to_score_seconds",
    help: "From the event's Kafka timestamp to its score being acknowledged",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly heldEmbeddingBytes = new Gauge({
    name: "virality_held_embeddings_bytes",
    help: "Bytes of embeddings held in memory so that Redis need not resend them (bounded by scorer.embeddingCacheMb)",
    registers: [this.registry],
  });
  readonly modelVersion = new Gauge({ name: "virality_model_info", help: "The model in use (value 1)", labelNames: ["version"], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "virality_" });
  }

  setModel(version: string): void {
    this.modelVersion.reset();
    this.modelVersion.set({ version }, 1);
  }
}
