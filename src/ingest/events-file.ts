/**
 * Reading an events file back: events.jsonl as src/sim/write.ts writes it (`virality simulate`,
 * `virality import seismic`), one delivery a line, `{"topic", "key", "at", "value"}`, in delivery order.
 * Every line is checked against its topic's Avro contract as it is read, so a bad line fails with the
 * file and line number before anything reaches Kafka (`checkEventsFile` reads the whole file first).
 */
import type { Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import avro from "avsc";
import { SCHEMAS, type ContractOf, type SchemaKey } from "../contracts/generated/events.js";
import { ViralityError } from "../errors.js";
import { isRecord } from "../json-guards.js";
import type { InputTopic, OutgoingEvent } from "./event-producer.js";

export const INPUT_TOPICS: readonly InputTopic[] = ["uploads", "embeddings", "engagement", "outcomes"];

const CONTRACT: Record<InputTopic, SchemaKey> = {
  uploads: "video-uploaded",
  embeddings: "video-embedding",
  engagement: "engagement-snapshot",
  outcomes: "video-outcome",
};

const FIELDS = new Set(["topic", "key", "at", "value"]);

const LINE_FORMAT =
  'Each line is one JSON object {"topic": "uploads" | "embeddings" | "engagement" | "outcomes", "key": "<video_id>", ' +
  '"at": <delivery time, epoch ms, optional>, "value": <the event, as in schemas/>}, as `virality simulate` and ' +
  "`virality import seismic` write it";

export type TopicCounts = Record<InputTopic, number>;

export function zeroCounts(): TopicCounts {
  return { uploads: 0, embeddings: 0, engagement: 0, outcomes: 0 };
}

export interface EventsFileSummary {
  readonly file: string;
  /** Events per input topic. */
  readonly counts: TopicCounts;
  readonly events: number;
}

function isInputTopic(value: unknown): value is InputTopic {
  return typeof value === "string" && (INPUT_TOPICS as readonly string[]).includes(value);
}

const types = new Map<SchemaKey, avro.Type>();

function typeOf(contract: SchemaKey): avro.Type {
  let type = types.get(contract);
  if (type === undefined) {
    type = avro.Type.forSchema(JSON.parse(SCHEMAS[contract].schema));
    types.set(contract, type);
  }
  return type;
}

/** avsc's validation of a value against a contract, as a type guard; the bad fields go to `bad`. */
function conforms<K extends SchemaKey>(contract: K, value: unknown, bad: string[]): value is ContractOf<K> {
  return typeOf(contract).isValid(value, { errorHook: (fieldPath) => bad.push(fieldPath.join(".") || "(the whole value)") });
}

function badLine(file: string, line: number, problem: string): ViralityError {
  return new ViralityError("VIR_EVENTS_FILE_INVALID", `${file}:${line}: ${problem}. ${LINE_FORMAT}: fix or delete line ${line}, or write the file again`, {
    details: { file, line },
  });
}

/** One line of an events file as an event for its topic; throws VIR_EVENTS_FILE_INVALID naming file:line. */
export function parseEventLine(text: string, file: string, line: number): OutgoingEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw badLine(file, line, `not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (!isRecord(parsed)) throw badLine(file, line, "not a JSON object");
  const unknown = Object.keys(parsed).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) throw badLine(file, line, `unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}`);
  const { topic, key, at, value } = parsed;
  if (!isInputTopic(topic)) throw badLine(file, line, `"topic" must be one of ${INPUT_TOPICS.join(", ")}, got ${JSON.stringify(topic) ?? "nothing"}`);
  if (typeof key !== "string" || key === "") throw badLine(file, line, `"key" must be the video_id, a non-empty string, got ${JSON.stringify(key) ?? "nothing"}`);
  if (at !== undefined && (typeof at !== "number" || !Number.isFinite(at))) throw badLine(file, line, `"at" must be epoch milliseconds, got ${JSON.stringify(at)}`);
  if (value === undefined) throw badLine(file, line, `"value" is missing`);
  const contract = CONTRACT[topic];
  const bad: string[] = [];
  const mismatch = (): ViralityError =>
    badLine(file, line, `"value" does not match ${SCHEMAS[contract].name} (topic ${topic}): bad field(s) ${bad.join(", ") || "(the whole value)"}`);
  let event: OutgoingEvent;
  switch (topic) {
    case "uploads":
      if (!conforms("video-uploaded", value, bad)) throw mismatch();
      event = { topic, key, value, at };
      break;
    case "embeddings":
      if (!conforms("video-embedding", value, bad)) throw mismatch();
      event = { topic, key, value, at };
      break;
    case "engagement":
      if (!conforms("engagement-snapshot", value, bad)) throw mismatch();
      event = { topic, key, value, at };
      break;
    case "outcomes":
      if (!conforms("video-outcome", value, bad)) throw mismatch();
      event = { topic, key, value, at };
      break;
  }
  if (event.value.video_id !== key) {
    throw badLine(file, line, `"key" ${JSON.stringify(key)} is not the event's video_id ${JSON.stringify(event.value.video_id)} (every topic is keyed by video_id)`);
  }
  return event;
}

/** Fails early, with the fix, when the path is missing or is a folder. */
async function checkPath(file: string): Promise<void> {
  const produced = "write one with `virality simulate --out DIR` or `virality import seismic <dir> --out DIR` and pass DIR/events.jsonl";
  let info: Stats;
  try {
    info = await stat(file);
  } catch (cause) {
    const code = isRecord(cause) && typeof cause["code"] === "string" ? cause["code"] : "";
    const what = code === "ENOENT" ? "there is no such file" : `it cannot be read (${cause instanceof Error ? cause.message : String(cause)})`;
    throw new ViralityError("VIR_EVENTS_FILE_INVALID", `events file ${file}: ${what}; ${produced}`, { cause, details: { file } });
  }
  if (info.isDirectory()) {
    const inside = path.join(file, "events.jsonl");
    const hint = await stat(inside).then(
      (s) => (s.isFile() ? `did you mean ${inside}?` : produced),
      () => produced,
    );
    throw new ViralityError("VIR_EVENTS_FILE_INVALID", `events file ${file} is a folder; ${hint}`, { details: { file } });
  }
}

/** The events of the file in order, read line by line (blank lines are skipped). */
export async function* readEventsFile(file: string): AsyncGenerator<OutgoingEvent> {
  await checkPath(file);
  const handle = await open(file, "r");
  try {
    let line = 0;
    for await (const text of handle.readLines({ encoding: "utf8" })) {
      line++;
      if (text.trim() === "") continue;
      yield parseEventLine(text, file, line);
    }
  } finally {
    await handle.close();
  }
}

/** Reads and checks the whole file; counts its events per topic. An empty file is an error. */
export async function checkEventsFile(file: string): Promise<EventsFileSummary> {
  const counts = zeroCounts();
  let events = 0;
  for await (const event of readEventsFile(file)) {
    counts[event.topic]++;
    events++;
  }
  if (events === 0) {
    throw new ViralityError("VIR_EVENTS_FILE_INVALID", `events file ${file} holds no events. ${LINE_FORMAT}`, { details: { file } });
  }
  return { file, counts, events };
}
