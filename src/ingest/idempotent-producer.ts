/**
 * An idempotent Kafka producer that survives losing its sequence with the broker.
 *
 * kafkajs numbers each partition's batches and rolls the number back when a request fails. When the
 * broker did append the batch but the response was lost (a dropped connection), the next different
 * batch reuses that number and the broker refuses it, and every later one, with
 * OUT_OF_ORDER_SEQUENCE_NUMBER; kafkajs never re-initialises the producer id, so the producer is stuck
 * for good (tulios/kafkajs#598). The Java client bumps the producer epoch instead. Here the producer is
 * replaced by a new one (a new producer id, sequences from 0) and the batch sent again: a batch the
 * broker already appended is then written twice, which every consumer of ours tolerates (scores and
 * input events are keyed and idempotent by event time).
 */
import type { Kafka, Producer, ProducerBatch, ProducerConfig, RecordMetadata } from "kafkajs";
import type { Logger } from "../logger.js";
import { createProducer } from "./kafka.js";

/** Broker errors that mean the producer's idempotence state is gone or out of step. */
const LOST_PRODUCER_STATE = new Set(["OUT_OF_ORDER_SEQUENCE_NUMBER", "UNKNOWN_PRODUCER_ID", "INVALID_PRODUCER_EPOCH"]);
/** Replacements tried for one send before its error is passed on. */
const MAX_REPLACEMENTS = 3;

/** What publishing needs of a producer. */
export interface BatchSender {
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
}

/** The protocol error type (e.g. OUT_OF_ORDER_SEQUENCE_NUMBER) anywhere in an error's cause chain. */
function protocolErrorType(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    // kafkajs' error classes are not named exports of its CommonJS module: recognised by shape
    if (e.name === "KafkaJSProtocolError" && "type" in e && typeof e.type === "string") return e.type;
  }
  return null;
}

export class IdempotentProducer implements BatchSender {
  readonly #kafka: Kafka;
  readonly #logger: Logger;
  readonly #options: Omit<ProducerConfig, "createPartitioner" | "idempotent">;
  #producer: Producer;
  /** A replacement under way: concurrent sends that failed on the same producer wait for the one. */
  #replacing: Promise<void> | null = null;
  #replacements = 0;

  constructor(kafka: Kafka, logger: Logger, options: Omit<ProducerConfig, "createPartitioner" | "idempotent"> = {}) {
    this.#kafka = kafka;
    this.#logger = logger.child({ component: "producer" });
    this.#options = options;
    this.#producer = this.#create();
  }

  /** How many times the producer was replaced after losing its sequence. */
  get replacements(): number {
    return this.#replacements;
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  disconnect(): Promise<void> {
    return this.#producer.disconnect();
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    for (let attempt = 0; ; attempt++) {
      const producer = this.#producer;
      try {
        return await producer.sendBatch(batch);
      } catch (error) {
        const type = protocolErrorType(error);
        if (type === null || !LOST_PRODUCER_STATE.has(type) || attempt >= MAX_REPLACEMENTS) throw error;
        await this.#replace(producer, type);
      }
    }
  }

  #create(): Producer {
    return createProducer(this.#kafka, { maxInFlightRequests: 1, ...this.#options, idempotent: true });
  }

  async #replace(failed: Producer, type: string): Promise<void> {
    if (this.#producer !== failed) return; // another send replaced it already
    if (this.#replacing === null) {
      this.#replacing = (async () => {
        this.#replacements++;
        this.#logger.warn(
          { error: type, replacements: this.#replacements },
          "the broker refused the producer's sequence (a response was lost with a dropped connection): replacing the producer and sending again; a batch may be written twice",
        );
        const next = this.#create();
        await next.connect();
        this.#producer = next;
        await failed.disconnect().catch(() => undefined);
      })().finally(() => {
        this.#replacing = null;
      });
    }
    await this.#replacing;
  }
}
