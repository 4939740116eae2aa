// Proves a scorer process that cannot start (its HTTP port is taken) exits non-zero and says why, instead of lingering half-connected.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { spawnScorer, type ScorerProcess } from "../support/scorer-process.js";
import { testConfig } from "../support/services.js";

test("failed-start-exits", { timeout: 30_000 }, async (t) => {
  // registered before testConfig's clean-up (hooks run in order): the scorer never outlives the test's topics
  let scorer: ScorerProcess | undefined;
  t.after(() => scorer?.kill());
  const config = await testConfig(t);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, config.http.host, resolve));
  t.after(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const address = taken.address();
  assert.ok(address !== null && typeof address === "object");

  const started = spawnScorer(config, address.port);
  scorer = started;
  const { code, signal } = await started.exited;
  assert.deepEqual({ code, signal }, { code: 1, signal: null }, started.tail());
  assert.ok(
    started.logs.some((l) => l.msg.includes("EADDRINUSE")),
    `no line names the taken port:\n${started.tail()}`,
  );
});
