// Pins that logs are JSON lines carrying the fields we query on (read from an in-memory stream), and the level kafkajs entries get.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { logLevel } from "kafkajs";
import { kafkaLogLevel } from "../src/ingest/kafka.js";
import { createLogger } from "../src/logger.js";

test("logs are JSON with level, service and bound fields", () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  const log = createLogger("info", sink).child({ video_id: "v-9" });
  log.debug("hidden");
  log.info({ offset: "42" }, "scored");
  assert.equal(lines.length, 1);
  const entry: unknown = JSON.parse(lines[0] ?? "");
  assert.ok(typeof entry === "object" && entry !== null);
  assert.deepEqual(
    Object.fromEntries(Object.entries(entry).filter(([k]) => ["level", "service", "video_id", "offset", "msg"].includes(k))),
    { level: 30, service: "virality", video_id: "v-9", offset: "42", msg: "scored" },
  );
});

test("kafkajs error responses it retries are warnings; its other errors stay errors", () => {
  const response = { namespace: "Connection", level: logLevel.ERROR, log: { message: "Response InitProducerId(key: 22, version: 1)" } };
  assert.equal(kafkaLogLevel(response), "warn");
  assert.equal(kafkaLogLevel({ ...response, log: { message: "Connection error: read ECONNRESET" } }), "error");
  assert.equal(kafkaLogLevel({ ...response, namespace: "Consumer" }), "error");
  assert.equal(kafkaLogLevel({ ...response, level: logLevel.WARN }), "warn");
  assert.equal(kafkaLogLevel({ ...response, level: logLevel.INFO }), "info");
});
