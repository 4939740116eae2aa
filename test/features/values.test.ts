// Proves how raw values become numbers, category keys and timestamps, the same for tables and events.
import assert from "node:assert/strict";
import { test } from "node:test";
import { categoryKey, numberOf, timestampMs } from "../../src/features/index.js";

test("timestamps: ISO 8601 with or without zone (UTC), epoch seconds, epoch milliseconds", () => {
  const expected = Date.UTC(2024, 4, 1, 12, 30, 0);
  assert.equal(timestampMs("2024-05-01T12:30:00Z"), expected);
  assert.equal(timestampMs("2024-05-01T12:30:00"), expected);
  assert.equal(timestampMs("2024-05-01 12:30:00"), expected);
  assert.equal(timestampMs("2024-05-01T14:30:00+02:00"), expected);
  assert.equal(timestampMs("2024-05-01"), Date.UTC(2024, 4, 1));
  assert.equal(timestampMs(expected / 1000), expected);
  assert.equal(timestampMs(String(expected / 1000)), expected);
  assert.equal(timestampMs(expected), expected);
  assert.ok(Number.isNaN(timestampMs(null) ?? 0));
  assert.ok(Number.isNaN(timestampMs("") ?? 0));
  assert.equal(timestampMs("01/05/2024"), undefined);
  assert.equal(timestampMs("yesterday"), undefined);
});

test("category keys: trimmed text, canonical numbers, booleans as 1/0, missing as null", () => {
  assert.equal(categoryKey(" en "), "en");
  assert.equal(categoryKey("007"), "7");
  assert.equal(categoryKey(7), "7");
  assert.equal(categoryKey("7.0"), "7");
  assert.equal(categoryKey(true), "1");
  assert.equal(categoryKey("FALSE"), "0");
  assert.equal(categoryKey(""), null);
  assert.equal(categoryKey("NA"), null);
  assert.equal(categoryKey(Number.NaN), null);
});

test("numbers: numeric text parsed, booleans as 1/0, missing as NaN, anything else refused", () => {
  assert.equal(numberOf("2.5"), 2.5);
  assert.equal(numberOf(" -1e3 "), -1000);
  assert.equal(numberOf(true), 1);
  assert.equal(numberOf("false"), 0);
  assert.ok(Number.isNaN(numberOf(null) ?? 0));
  assert.ok(Number.isNaN(numberOf("") ?? 0));
  assert.equal(numberOf("0x10"), undefined);
  assert.equal(numberOf("Infinity"), undefined);
  assert.equal(numberOf("high"), undefined);
});
