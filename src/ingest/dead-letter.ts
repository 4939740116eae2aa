/**
 * Dead letters in the Kafka Connect convention: the original key, value, headers and timestamp, plus
 * `__connect.errors.*` headers naming the source topic, partition and offset, the error and its message.
 * A value too large to copy with those headers is cut to fit (see DEAD_LETTER_MAX_BYTES).
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
  /** Set when the value was cut to fit: the original value's length in bytes. */
  truncated: "virality.value.truncated",
} as const;

/**
 * The largest dead letter (key, value and headers) sent whole. The broker refuses a record batch over
 * message.max.bytes (1 MiB + 12 by default), and an input just under it would not fit once the headers
 * above are added: its partition would then be retried forever. Past this budget the value is cut, and
 * the source topic, partition and offset headers still point at the whole message.
 */
export const DEAD_LETTER_MAX_BYTES = 1024 * 1024 - 4096;

function bytesOf(value: IHeaders[string] | Message["key"]): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, part) => sum + bytesOf(part), 0);
  return Buffer.byteLength(value);
}

export function deadLetter(source: { topic: string; partition: number }, message: KafkaMessage, error: unknown): Message {
  const headers: IHeaders = { ...(message.headers ?? {}) };
  headers[DLQ_HEADERS.topic] = source.topic;
  headers[DLQ_HEADERS.partition] = String(source.partition);
  headers[DLQ_HEADERS.offset] = message.offset;
  headers[DLQ_HEADERS.className] = error instanceof Error ? error.name : "Error";
  headers[DLQ_HEADERS.message] = describe(error).slice(0, 2_000);
  headers[DLQ_HEADERS.code] = error instanceof ViralityError ? error.code : "VIR_UNEXPECTED";
  let value = message.value;
  if (value !== null) {
    // every header costs its name, its value and a few bytes of framing; 64 bytes more for the truncation header
    let rest = bytesOf(message.key) + 64;
    for (const [name, header] of Object.entries(headers)) rest += Buffer.byteLength(name) + bytesOf(header) + 8;
    if (rest + value.length > DEAD_LETTER_MAX_BYTES) {
      headers[DLQ_HEADERS.truncated] = String(value.length);
      value = value.subarray(0, Math.max(0, DEAD_LETTER_MAX_BYTES - rest));
    }
  }
  return { key: message.key, value, headers, timestamp: message.timestamp };
}
