// Pins kafkajs' request queue as patched by deploy/patches (applied by `npm ci`'s postinstall): with no
// request pending and no throttling, a connection arms no timer. kafkajs 2.2.4 re-arms a 1 ms timer per
// broker connection forever (tulios/kafkajs#1556, #1704; unreleased upstream), ~1,000 timer objects a
// second each, which in the scorer were most of what the young generation promoted (bench/README.md).
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { createKafka } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { testConfig } from "../support/services.js";
import { timersArmedDuring } from "../support/timers.js";

test("an idle kafkajs connection arms no timers (deploy/patches applied by npm ci's postinstall)", async (t) => {
  const config = await testConfig(t);
  const admin = createKafka(config, createLogger("silent")).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  // a request and its response: the broker connection's queue has run at least once
  await admin.listTopics();

  const timers = await timersArmedDuring(() => sleep(500));
  // the sleep itself is one; kafkajs' request-timeout check is a setInterval, armed once at connect
  assert.ok(timers <= 5, `${timers} timers armed in 500 ms on an idle connection: kafkajs' request queue re-arms a 1 ms timer forever; run \`npm ci\` (its postinstall applies deploy/patches)`);
});
