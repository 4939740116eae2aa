/**
 * Dead letters in the Kafka Connect convention: the original key, value, headers and timestamp, plus
 * `__connect.errors.*` headers naming the source topic, partition and offset, the error and its message.
 */
import type { IHeaders, KafkaMessage, Message } from "kafkajs";
import { ViralityError, describe } from "../errors.js";

export const DLQ_HEADERS = {
  topic: "__connect.errors.topic",
  partition: "__connect.errors.partition",
  offset: "__connect.errors.offset",
  className: "__connect.errors.exception.class.name",
  message: "__connect.errors.exception.message",
  code: "virality.error.code",
} as const;

export function deadLetter(source: { topic: string; partition: number }, message: KafkaMessage, error: unknown): Message {
  const headers: IHeaders = { ...(message.headers ?? {}) };
  headers[DLQ_HEADERS.topic] = source.topic;
  headers[DLQ_HEADERS.partition] = String(source.partition);
  headers[DLQ_HEADERS.offset] = message.offset;
  headers[DLQ_HEADERS.className] = error instanceof Error ? error.name : "Error";
  headers[DLQ_HEADERS.message] = describe(error).slice(0, 2_000);
  headers[DLQ_HEADERS.code] = error instanceof ViralityError ? error.code : "VIR_UNEXPECTED";
  return { key: message.key, value: message.value, headers, timestamp: message.timestamp };
}
