/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro body) through a
 * Confluent-compatible schema registry, with @kafkajs/confluent-schema-registry doing the registry
 * calls and caching. Decoding always resolves the writer's schema into our (newest) reader schema, so
 * old topics replay with the current contract. Every failure is a typed ViralityError.
 */
import avro, { type Resolver } from "avsc";
import { COMPATIBILITY, SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { ViralityError } from "../errors.js";
import { SCHEMAS, type ContractOf, type SchemaKey } from "./generated/events.js";

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export interface SubjectBinding {
  readonly topic: string;
  readonly contract: SchemaKey;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error && typeof error.status === "number") {
    return error.status;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A registry failure, classified: the registry is down (retry) or it said no (stop). */
function registryError(error: unknown, what: string, subject: string): ViralityError {
  const status = statusOf(error);
  if (status === 409 || status === 422) {
    return new ViralityError(
      "VIR_SCHEMA_INCOMPATIBLE",
      `the registry refused the schema for subject ${subject}: ${messageOf(error)}. ` +
        "Under BACKWARD_TRANSITIVE a new version may add optional fields (with defaults) or drop fields, never add a required one or change a type.",
      { cause: error, details: { subject, status } },
    );
  }
  return new ViralityError("VIR_REGISTRY_UNAVAILABLE", `schema registry unavailable while ${what} (${subject}): ${messageOf(error)}`, {
    cause: error,
    details: { subject, status: status ?? 0 },
  });
}

export function subjectFor(topic: string): string {
  return `${topic}-value`;
}

export class EventSerde {
  readonly registry: SchemaRegistry;
  readonly #url: string;
  readonly #readers = new Map<SchemaKey, avro.Type>();
  readonly #writerIds = new Map<string, number>();
  /** Where records are encoded before being copied out at their size (grown when one does not fit). */
  #scratch = Buffer.allocUnsafe(64 * 1024);
  /** Per contract, per writer schema id: how to read it into the contract (null: the same schema). */
  readonly #resolvers = new Map<SchemaKey, Map<number, Resolver | null>>();

  constructor(url: string) {
    this.#url = url.replace(/\/+$/, "");
    this.registry = new SchemaRegistry({ host: this.#url, clientId: "virality", retry: { retries: 2 } });
  }

  /** The avsc type of one of our contracts (our reader schema). */
  readerType(contract: SchemaKey): avro.Type {
    let type = this.#readers.get(contract);
    if (type === undefined) {
      type = avro.Type.forSchema(JSON.parse(SCHEMAS[contract].schema));
      this.#readers.set(contract, type);
    }
    return type;
  }

  /**
   * Sets BACKWARD_TRANSITIVE on the subject explicitly (before the first version exists, so the
   * client's own compatibility check sees the level we pass) and registers our schema. Idempotent.
   */
  async register(binding: SubjectBinding, schemaText: string = SCHEMAS[binding.contract].schema): Promise<number> {
    const subject = subjectFor(binding.topic);
    try {
      // Two first PUTs at once (concurrent batches or instances) race to create the rule; the loser gets
      // 409 "rule already exists", and the rule now exists, so a second PUT updates it.
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(`${this.#url}/config/${encodeURIComponent(subject)}`, {
          method: "PUT",
          headers: { "Content-Type": "application/vnd.schemaregistry.v1+json" },
          body: JSON.stringify({ compatibility: "BACKWARD_TRANSITIVE" }),
        });
        if (response.ok) break;
        const body = await response.text();
        if (response.status === 409 && attempt < 3) continue;
        throw Object.assign(new Error(`PUT /config/${subject}: HTTP ${response.status} ${body}`), { status: response.status });
      }
    } catch (error) {
      throw registryError(error, "setting compatibility", subject);
    }
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: schemaText },
        { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
      );
      this.#writerIds.set(binding.topic, id);
      return id;
    } catch (error) {
      throw registryError(error, "registering", subject);
    }
  }

  /** Deletes the topics' value subjects (soft, then permanently); best effort: a registry error is ignored. */
  async deleteSubjects(topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      for (const suffix of ["", "?permanent=true"]) {
        await fetch(`${this.#url}/subjects/${encodeURIComponent(subjectFor(topic))}${suffix}`, { method: "DELETE" }).catch(() => undefined);
      }
      this.#writerIds.delete(topic);
    }
  }

  async registerAll(bindings: readonly SubjectBinding[]): Promise<void> {
    for (const binding of bindings) await this.register(binding);
  }

  /** Encodes a record for a topic with the schema registered for it (registering on first use). */
  async encode<K extends SchemaKey>(binding: { topic: string; contract: K }, record: ContractOf<K>): Promise<Buffer> {
    const id = this.#writerIds.get(binding.topic) ?? (await this.register(binding));
    return this.#write(binding, id, record);
  }

  /**
   * Encodes like `encode` without waiting when the topic's schema is registered already (the scorer's
   * hot path); undefined when it would have to register it first.
   */
  encodeKnown<K extends SchemaKey>(binding: { topic: string; contract: K }, record: ContractOf<K>): Buffer | undefined {
    const id = this.#writerIds.get(binding.topic);
    return id === undefined ? undefined : this.#write(binding, id, record);
  }

  /** The record in the wire format under writer schema `id`: one buffer of exactly its size. */
  #write<K extends SchemaKey>(binding: { topic: string; contract: K }, id: number, record: ContractOf<K>): Buffer {
    const type = this.readerType(binding.contract);
    // the paths of bad fields are collected only for a record already found invalid
    if (!type.isValid(record)) {
      const invalid: string[] = [];
      type.isValid(record, { errorHook: (path) => invalid.push(path.join(".")) });
      throw new ViralityError(
        "VIR_SERDE_SCHEMA_MISMATCH",
        `record for ${binding.topic} does not match ${SCHEMAS[binding.contract].name}: bad field(s) ${invalid.join(", ")}`,
        { details: { topic: binding.topic, fields: invalid.join(",") } },
      );
    }
    // encoded into a reused scratch buffer (avsc answers a negative position when it is too small),
    // then copied out once: toBuffer would allocate a zero-filled buffer for the body and a second one here
    let end = type.encode(record, this.#scratch, HEADER_BYTES);
    if (end < 0) {
      this.#scratch = Buffer.allocUnsafe(2 * (this.#scratch.length - end));
      end = type.encode(record, this.#scratch, HEADER_BYTES);
    }
    this.#scratch.writeUInt8(MAGIC_BYTE, 0);
    this.#scratch.writeUInt32BE(id, 1);
    const out = Buffer.allocUnsafe(end);
    this.#scratch.copy(out, 0, 0, end);
    return out;
  }

  /** The writer schema id from the wire header; typed errors for bad bytes. */
  #schemaIdOf(buffer: Buffer): number {
    if (buffer.length < HEADER_BYTES) {
      throw new ViralityError(
        "VIR_SERDE_TRUNCATED",
        `message of ${buffer.length} bytes is shorter than the 5-byte Confluent header`,
        { details: { length: buffer.length } },
      );
    }
    const magic = buffer.readUInt8(0);
    if (magic !== MAGIC_BYTE) {
      throw new ViralityError("VIR_SERDE_MAGIC_BYTE", `message starts with byte ${magic}, expected the Confluent magic byte 0`, {
        details: { magic },
      });
    }
    return buffer.readUInt32BE(1);
  }

  #resolversOf(contract: SchemaKey): Map<number, Resolver | null> {
    let byId = this.#resolvers.get(contract);
    if (byId === undefined) {
      byId = new Map();
      this.#resolvers.set(contract, byId);
    }
    return byId;
  }

  /** Fetches (and caches) the writer schema `id` and how to read it as `contract`. */
  async #fetchResolver(id: number, contract: SchemaKey): Promise<Resolver | null> {
    let writer: unknown;
    try {
      writer = await this.registry.getSchema(id);
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new ViralityError("VIR_SERDE_UNKNOWN_SCHEMA", `schema id ${id} is not known to the registry at ${this.#url}`, {
          cause: error,
          details: { schemaId: id },
        });
      }
      throw registryError(error, `fetching schema ${id}`, `id ${id}`);
    }
    if (!(writer instanceof avro.Type)) {
      throw new ViralityError("VIR_SERDE_SCHEMA_MISMATCH", `schema id ${id} is not an Avro schema`, { details: { schemaId: id } });
    }
    const reader = this.readerType(contract);
    let resolver: Resolver | null;
    try {
      resolver = reader.equals(writer) ? null : reader.createResolver(writer);
    } catch (cause) {
      throw new ViralityError(
        "VIR_SERDE_SCHEMA_MISMATCH",
        `writer schema ${id} (${writer.name ?? "unnamed"}) cannot be read as ${SCHEMAS[contract].name}: ${messageOf(cause)}`,
        { cause, details: { schemaId: id } },
      );
    }
    this.#resolversOf(contract).set(id, resolver);
    return resolver;
  }

  /** Decodes a message into one of our contracts, resolving the writer's schema into ours. */
  async decode<K extends SchemaKey>(contract: K, buffer: Buffer): Promise<ContractOf<K>> {
    const id = this.#schemaIdOf(buffer);
    const cached = this.#resolversOf(contract).get(id);
    const resolver = cached === undefined ? await this.#fetchResolver(id, contract) : cached;
    return this.#read(contract, buffer, id, resolver);
  }

  /**
   * Decodes like `decode` without waiting when the writer schema is already known (the scorer's hot
   * path: no promise per message); undefined when it would have to ask the registry. Bad bytes throw
   * the same typed errors.
   */
  decodeKnown<K extends SchemaKey>(contract: K, buffer: Buffer): ContractOf<K> | undefined {
    const id = this.#schemaIdOf(buffer);
    const resolver = this.#resolversOf(contract).get(id);
    return resolver === undefined ? undefined : this.#read(contract, buffer, id, resolver);
  }

  /** The Avro body read with the writer schema's resolver, checked against the contract. */
  #read<K extends SchemaKey>(contract: K, buffer: Buffer, id: number, resolver: Resolver | null): ContractOf<K> {
    const reader = this.readerType(contract);
    let value: unknown;
    try {
      const body = buffer.subarray(HEADER_BYTES);
      value = resolver === null ? reader.fromBuffer(body) : reader.fromBuffer(body, resolver);
    } catch (cause) {
      const truncated = /truncated|out of range|trailing|invalid/i.test(messageOf(cause));
      throw new ViralityError(
        truncated ? "VIR_SERDE_TRUNCATED" : "VIR_SERDE_SCHEMA_MISMATCH",
        `cannot decode ${SCHEMAS[contract].name} (schema id ${id}, ${buffer.length} bytes): ${messageOf(cause)}`,
        { cause, details: { schemaId: id, length: buffer.length } },
      );
    }
    if (!conforms(reader, value, contract)) {
      throw new ViralityError("VIR_SERDE_SCHEMA_MISMATCH", `decoded value does not match ${SCHEMAS[contract].name}`, {
        details: { schemaId: id },
      });
    }
    return value;
  }
}

/** A type guard backed by avsc's own validation of the value against the contract's schema. */
function conforms<K extends SchemaKey>(type: avro.Type, value: unknown, _contract: K): value is ContractOf<K> {
  return type.isValid(value);
}
