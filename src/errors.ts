/**
 * The one registry of error codes. Every error the project throws on purpose is a ViralityError with
 * one of these codes. `action` tells the caller what to do with it:
 *  - "retry":       transient (a service is unavailable); back off and try again, never dead-letter;
 *  - "dead-letter": this one input is bad; park it on the dead-letter topic and go on;
 *  - "stop":        the process cannot go on (bad config, bad file given on the command line).
 *
 * test/errors.test.ts pins that codes are unique, documented here and thrown somewhere in the code.
 */
export type ErrorAction = "retry" | "dead-letter" | "stop";

interface CodeInfo {
  readonly action: ErrorAction;
  readonly doc: string;
}

export const ERROR_CODES = {
  // configuration and command line
  VIR_CONFIG_INVALID: { action: "stop", doc: "A configuration value is missing, unknown or out of range." },
  VIR_CONFIG_FILE: { action: "stop", doc: "The configuration file cannot be read or parsed." },
  VIR_CLI_USAGE: { action: "stop", doc: "A command-line argument is missing or malformed." },

  // event contracts and serde
  VIR_SERDE_MAGIC_BYTE: { action: "dead-letter", doc: "A message does not start with the Confluent magic byte 0." },
  VIR_SERDE_TRUNCATED: { action: "dead-letter", doc: "A message is shorter than its header or its Avro body." },
  VIR_SERDE_UNKNOWN_SCHEMA: { action: "dead-letter", doc: "The schema id in a message is not known to the registry." },
  VIR_SERDE_SCHEMA_MISMATCH: {
    action: "dead-letter",
    doc: "A record does not match the schema it is encoded or decoded with.",
  },
  VIR_SCHEMA_INCOMPATIBLE: {
    action: "stop",
    doc: "The registry refused a schema because it breaks the subject's compatibility rule.",
  },
  VIR_REGISTRY_UNAVAILABLE: { action: "retry", doc: "The schema registry did not answer." },

  // services
  VIR_KAFKA_UNAVAILABLE: { action: "retry", doc: "The Kafka broker did not answer." },
  VIR_REDIS_UNAVAILABLE: { action: "retry", doc: "Redis did not answer." },
  VIR_STORE_REJECTED: {
    action: "dead-letter",
    doc: "Redis refused a write to or read of one video's key (it holds a value the store did not write); the scorer dead-letters that video's events, --rescore-all lists it as skipped.",
  },
  VIR_SERVICE_NOT_READY: { action: "stop", doc: "A local service did not become ready in time." },

  // input files (.pt, tables)
  VIR_PT_NOT_TORCH: { action: "stop", doc: "The file is not a torch.save file (neither zip nor legacy pickle)." },
  VIR_PT_UNREADABLE: { action: "stop", doc: "The .pt file cannot be opened (missing, no permission, a directory)." },
  VIR_PT_CORRUPT: { action: "stop", doc: "The .pt archive or its pickle is damaged or truncated." },
  VIR_PT_FORBIDDEN_GLOBAL: {
    action: "stop",
    doc: "The pickle names a global outside the allowlist; nothing from the file is executed.",
  },
  VIR_PT_UNSUPPORTED: { action: "stop", doc: "The pickle uses an opcode or feature this reader does not support." },
  VIR_PT_LIMIT: { action: "stop", doc: "A declared size in the .pt file exceeds the file or the reader's limits." },
  VIR_FUSED_INVALID: { action: "stop", doc: "A fused.pt file does not hold {ids: list[str], fused: float tensor [n, d]}." },
  VIR_TABLE_INVALID: { action: "stop", doc: "A features table has a malformed row, a bad value or a duplicate key." },
  VIR_JOIN_INVALID: { action: "stop", doc: "Joining the features table with fused.pt is impossible as asked." },
  VIR_EVENTS_FILE_INVALID: {
    action: "stop",
    doc: "An events file (events.jsonl, one delivery a line) is missing, empty or has a malformed line.",
  },

  // features and models
  VIR_FEATURE_INVALID: { action: "dead-letter", doc: "A video's records do not fit the feature spec." },
  VIR_MODEL_INVALID: { action: "stop", doc: "A model bundle is corrupt or of a format version this build does not read." },
  VIR_MODEL_NOT_FOUND: { action: "stop", doc: "No model bundle is published under that version." },
  VIR_TRAIN_INVALID: { action: "stop", doc: "Training cannot run on the data as given." },
  VIR_VIDEO_NOT_FOUND: { action: "stop", doc: "The video is not in the embeddings or the store." },
  VIR_EVENT_INVALID: { action: "dead-letter", doc: "An event decodes but its values are out of range." },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ViralityErrorOptions {
  readonly cause?: unknown;
  /** Structured details (file, offset, row, field, key …) for logs and the dead-letter headers. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export class ViralityError extends Error {
  readonly code: ErrorCode;
  readonly action: ErrorAction;
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(code: ErrorCode, message: string, options: ViralityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ViralityError";
    this.code = code;
    this.action = ERROR_CODES[code].action;
    this.details = options.details ?? {};
  }

  get canRetry(): boolean {
    return this.action === "retry";
  }
}

export function isViralityError(value: unknown, code?: ErrorCode): value is ViralityError {
  return value instanceof ViralityError && (code === undefined || value.code === code);
}

/** The message of anything thrown, for logs. */
export function describe(error: unknown): string {
  if (error instanceof ViralityError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
