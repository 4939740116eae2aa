// Proves which records a backtest evaluates: the last score per video and stage, the last outcome per video.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { latestOutcomes, latestScores } from "../../src/backtest/latest.js";
import { T0, VERSION, outcome, score } from "./records.js";

test("the last score per video and stage wins by scored_at, whatever the input order", () => {
  const records = [
    score("a", { target: 3, at: T0 + 2_000 }),
    score("a", { target: 1, at: T0 }),
    score("a", { target: 2, at: T0 + 1_000 }),
    score("a", { stage: "H1", target: 5, at: T0 + 500 }),
    score("b", { target: 7, at: T0 }),
  ];
  const picked = latestScores(records, VERSION);
  assert.equal(picked.byStage.get("UPLOAD")?.get("a")?.predicted_target, 3);
  assert.equal(picked.byStage.get("H1")?.get("a")?.predicted_target, 5);
  assert.equal(picked.byStage.get("UPLOAD")?.get("b")?.predicted_target, 7);
  assert.equal(picked.byStage.get("H6")?.size, 0);
  assert.equal(picked.superseded, 2);
});

test("on equal scored_at the newer inputs win, then more inputs, then the later record in the input", () => {
  const older = score("a", { target: 2, at: T0, inputAt: T0 - 10 });
  const newer = score("a", { target: 1, at: T0, inputAt: T0 - 5 });
  for (const records of [[older, newer], [newer, older]]) {
    assert.equal(latestScores(records, VERSION).byStage.get("UPLOAD")?.get("a")?.predicted_target, 1);
  }
  const fewer = score("a", { target: 3 });
  const more = { ...score("a", { target: 4 }), inputs_present: ["upload", "embedding", "engagement_1h"] };
  for (const records of [[fewer, more], [more, fewer]]) {
    assert.equal(latestScores(records, VERSION).byStage.get("UPLOAD")?.get("a")?.predicted_target, 4);
  }
  const sameTimes = latestScores([score("a", { target: 1 }), score("a", { target: 2 })], VERSION);
  assert.equal(sameTimes.byStage.get("UPLOAD")?.get("a")?.predicted_target, 2);
});

test("scores of other model versions are left out and counted", () => {
  const picked = latestScores(
    [score("a", { target: 1 }), score("a", { target: 9, at: T0 + 1, version: "m-6" }), score("b", { target: 2, version: "m-5" })],
    VERSION,
  );
  assert.equal(picked.byStage.get("UPLOAD")?.get("a")?.predicted_target, 1);
  assert.equal(picked.byStage.get("UPLOAD")?.has("b"), false);
  assert.equal(picked.otherVersion, 2);
  assert.deepEqual([...picked.otherVersions].sort(), ["m-5", "m-6"]);
});

test("the last outcome per video at the horizon wins, then the larger count; other horizons are counted", () => {
  const records = [
    outcome("a", 70, { at: T0 + 2 }),
    outcome("a", 40, { at: T0 + 1 }),
    outcome("a", 50, { at: T0 + 2 }),
    outcome("a", 999, { horizon: "30d" }),
  ];
  for (const order of [records, [...records].reverse()]) {
    const picked = latestOutcomes(order, "7d");
    assert.equal(picked.byVideo.get("a")?.views, 70);
    assert.equal(picked.superseded, 2);
    assert.equal(picked.otherHorizon, 1);
  }
});

test("records with values out of range are refused, naming the video", () => {
  assert.throws(
    () => latestScores([score("a", { target: Number.NaN })], VERSION),
    (e: unknown) => isViralityError(e, "VIR_EVENT_INVALID") && /score 0 of a: predicted_target is NaN/.test(e.message),
  );
  assert.throws(
    () => latestScores([{ ...score("a", { target: 1 }), interval_low: 10, interval_high: 5 }], VERSION),
    (e: unknown) => isViralityError(e, "VIR_EVENT_INVALID") && /interval_low 10 > interval_high 5/.test(e.message),
  );
  assert.throws(
    () => latestOutcomes([outcome("b", -1)], "7d"),
    (e: unknown) => isViralityError(e, "VIR_EVENT_INVALID") && /outcome 0 of b: views is -1/.test(e.message),
  );
});
