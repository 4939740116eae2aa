// Proves concurrent first encodes for one topic (partitions scored concurrently, instances starting together) all register the schema: the registry's race on creating the compatibility rule is not an incompatible-schema error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventSerde } from "../../src/contracts/serde.js";
import { SAMPLES } from "../support/samples.js";
import { testConfig } from "../support/services.js";

test("concurrent-first-encode", async (t) => {
  const config = await testConfig(t);
  const binding = { topic: config.topics.scores, contract: "video-score" } as const;
  // separate serdes share no cache, like separate processes; one serde encoding concurrently is the same race
  const serdes = Array.from({ length: 4 }, () => new EventSerde(config.registry.url));
  const shared = new EventSerde(config.registry.url);
  const encoded = await Promise.allSettled([
    ...serdes.map((serde) => serde.encode(binding, SAMPLES["video-score"])),
    ...Array.from({ length: 4 }, () => shared.encode(binding, SAMPLES["video-score"])),
  ]);
  const failed = encoded.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
  assert.deepEqual(failed, []);
  const ids = new Set(encoded.flatMap((r) => (r.status === "fulfilled" ? [r.value.readUInt32BE(1)] : [])));
  assert.equal(ids.size, 1, "every encode carries the one registered schema id");
});
