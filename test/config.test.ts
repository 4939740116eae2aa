// Pins that configuration is validated once and fails fast naming the bad key.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../src/config.js";
import { isViralityError } from "../src/errors.js";

function rejectsWith(fn: () => unknown, code: string, key: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isViralityError(error), String(error));
    assert.equal(error.code, code);
    assert.match(error.message, key);
    return true;
  });
}

test("defaults point at the local stack", () => {
  const config = loadConfig({ env: {} });
  assert.deepEqual(config.kafka.brokers, ["127.0.0.1:19092"]);
  assert.equal(config.registry.url, "http://127.0.0.1:18081/apis/ccompat/v7");
  assert.equal(config.redis.url, "redis://127.0.0.1:16379");
  assert.equal(config.topics.uploads, "video.uploads");
});

test("env wins over the file, and lists are comma-separated", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "virality-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "virality.yaml");
  writeFileSync(file, "topics:\n  scores: my.scores\nhttp:\n  port: 9000\n");
  const config = loadConfig({ file, env: { VIRALITY_HTTP_PORT: "9100", VIRALITY_KAFKA_BROKERS: "a:1, b:2" } });
  assert.equal(config.topics.scores, "my.scores");
  assert.equal(config.http.port, 9100);
  assert.deepEqual(config.kafka.brokers, ["a:1", "b:2"]);
});

test("an unknown key fails with the key's name", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "virality-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "virality.json");
  writeFileSync(file, JSON.stringify({ topics: { scroes: "x" } }));
  rejectsWith(() => loadConfig({ file, env: {} }), "VIR_CONFIG_INVALID", /topics\.scroes.*unknown option/);
});

test("a bad port fails with the key's name and the variable it came from", () => {
  rejectsWith(() => loadConfig({ env: { VIRALITY_HTTP_PORT: "70000" } }), "VIR_CONFIG_INVALID", /http\.port \(from VIRALITY_HTTP_PORT\)/);
  rejectsWith(() => loadConfig({ env: { VIRALITY_KAFKA_BROKERS: "localhost" } }), "VIR_CONFIG_INVALID", /kafka\.brokers/);
});

test("a missing required value fails with the key's name", () => {
  rejectsWith(() => loadConfig({ env: { VIRALITY_KAFKA_BROKERS: "" } }), "VIR_CONFIG_INVALID", /kafka\.brokers/);
  rejectsWith(() => loadConfig({ env: { VIRALITY_REGISTRY_URL: "" } }), "VIR_CONFIG_INVALID", /registry\.url/);
});

test("an unreadable or malformed file is named", () => {
  rejectsWith(() => loadConfig({ file: "/nonexistent/virality.yaml", env: {} }), "VIR_CONFIG_FILE", /\/nonexistent\/virality\.yaml/);
});
