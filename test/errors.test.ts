// Pins the error registry: every code is prefixed, documented, unique, and thrown somewhere in the code.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ERROR_CODES, ViralityError, describe as describeError } from "../src/errors.js";
import { repoRoot } from "../src/ops/services.js";

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "generated" ? [] : sourceFiles(full);
    return name.endsWith(".ts") && !name.endsWith("errors.ts") ? [full] : [];
  });
}

test("error codes are prefixed, documented and unique", () => {
  const codes = Object.keys(ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^VIR_[A-Z0-9_]+$/, code);
    assert.ok(info.doc.length > 10, `${code} needs a doc line`);
    assert.ok(["retry", "dead-letter", "stop"].includes(info.action), code);
  }
});

test("every error code is thrown somewhere in src/ or trainer/", () => {
  const root = repoRoot();
  const text = [...sourceFiles(path.join(root, "src")), ...sourceFiles(path.join(root, "trainer"))]
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  const unused = Object.keys(ERROR_CODES).filter((code) => !text.includes(`"${code}"`));
  assert.deepEqual(unused, [], `codes never thrown: ${unused.join(", ")}`);
});

test("a ViralityError carries code, action, cause and details", () => {
  const cause = new Error("socket closed");
  const error = new ViralityError("VIR_REDIS_UNAVAILABLE", "redis down", { cause, details: { url: "redis://x" } });
  assert.equal(error.code, "VIR_REDIS_UNAVAILABLE");
  assert.equal(error.action, "retry");
  assert.equal(error.canRetry, true);
  assert.equal(error.cause, cause);
  assert.deepEqual(error.details, { url: "redis://x" });
  assert.equal(describeError(error), "VIR_REDIS_UNAVAILABLE: redis down");
  assert.equal(new ViralityError("VIR_EVENT_INVALID", "x").action, "dead-letter");
});
