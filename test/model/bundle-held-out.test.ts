// Proves the bundle's record of its held-out videos: part of the content hash, round-trips through JSON, optional on load (a bundle written before it keeps its version) and validated when present.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import { buildSpec } from "../../src/features/build-spec.js";
import { featureNames } from "../../src/features/spec.js";
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_TYPE,
  bundleFromJSON,
  bundleToJSON,
  parseBundle,
  sealBundle,
  serializeBundle,
  type HeldOut,
  type ModelBundle,
  type UnversionedBundle,
} from "../../src/model/bundle.js";
import { isRecord } from "../../src/json-guards.js";
import { synthetic } from "../features/synthetic.js";
import { stumpEnsemble } from "../support/stump.js";

/** A one-stage bundle with a single stump: enough to exercise the bundle format without training. */
function unversioned(): UnversionedBundle {
  const { table, join } = synthetic();
  const { spec } = buildSpec(table, join, { target: "views_7d" });
  const trees = stumpEnsemble(featureNames(spec, "upload").length, 9, [-0.5, 0.5]);
  return {
    type: BUNDLE_TYPE,
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: "2026-11-25T00:00:00.000Z",
    target: { column: "views_7d", transform: "log1p" },
    spec,
    stages: { upload: { stage: "upload", trees, baseMargin: { kind: "none" }, conformal: { level: 0.9, quantile: 1.2, nCalibration: 20 }, metrics: null } },
    channelMedians: { UC0: 9000 },
    fingerprint: { rows: 60, sha256: "0".repeat(64) },
  };
}

const FROM: HeldOut = { kind: "uploadedFrom", at: Date.UTC(2024, 4, 5), rows: 12 };
const IDS: HeldOut = { kind: "videos", ids: ["vid0003", "vid0010", "vid0042"] };

/** The JSON of a bundle, as an object to edit. */
function jsonOf(bundle: ModelBundle): Record<string, unknown> {
  const value: unknown = JSON.parse(serializeBundle(bundle));
  assert.ok(isRecord(value));
  return value;
}

/** sha256 of the JSON without its version, keys sorted: the content hash, computed independently of bundle.ts. */
function independentVersion(json: Record<string, unknown>): string {
  const { version: _version, ...content } = json;
  const sorted = JSON.stringify(content, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
  return `m-${createHash("sha256").update(sorted).digest("hex").slice(0, 12)}`;
}

test("a bundle with either kind of heldOut round-trips through JSON with the same version and record", () => {
  for (const heldOut of [FROM, IDS]) {
    const bundle = sealBundle({ ...unversioned(), heldOut });
    const back = parseBundle(serializeBundle(bundle), "memory");
    assert.deepEqual(back.heldOut, heldOut);
    assert.equal(back.version, bundle.version);
    assert.deepEqual(JSON.parse(serializeBundle(back)), JSON.parse(serializeBundle(bundle)));
    assert.equal(bundle.version, independentVersion(jsonOf(bundle)), "the version hashes the heldOut record too");
  }
});

test("heldOut is part of the version: a different record, or none, gives a different version", () => {
  const versions = [undefined, FROM, { ...FROM, at: FROM.at + 1 }, { ...FROM, rows: 13 }, IDS, { kind: "videos", ids: ["vid0003"] } satisfies HeldOut].map(
    (heldOut) => sealBundle({ ...unversioned(), ...(heldOut === undefined ? {} : { heldOut }) }).version,
  );
  assert.equal(new Set(versions).size, versions.length, versions.join(" "));
});

test("a format 1 bundle (written before heldOut existed) loads, keeps its version, and has no record", () => {
  const old = sealBundle({ ...unversioned(), formatVersion: 1 });
  const json = jsonOf(old);
  assert.equal("heldOut" in json, false);
  assert.equal(json["version"], independentVersion(json), "the absent field adds nothing to the hash");
  const back = bundleFromJSON(json);
  assert.equal(back.version, old.version);
  assert.equal(back.heldOut, undefined);
  assert.equal("heldOut" in bundleToJSON(back), false);
  assert.equal(back.formatVersion, 1);
});

test("bundles are written as format 2; heldOut in a format 1 bundle and unknown formats are refused, naming the field", () => {
  assert.equal(sealBundle({ ...unversioned(), heldOut: FROM }).formatVersion, 2);
  const json = jsonOf(sealBundle({ ...unversioned(), heldOut: FROM }));
  assert.throws(
    () => bundleFromJSON({ ...json, formatVersion: 1 }),
    (e: unknown) => isViralityError(e, "VIR_MODEL_INVALID") && /heldOut/.test(e.message) && /format 2/.test(e.message),
  );
  assert.throws(
    () => bundleFromJSON({ ...json, formatVersion: 3 }),
    (e: unknown) => isViralityError(e, "VIR_MODEL_INVALID") && /formatVersion/.test(e.message) && /reads formats 1 and 2/.test(e.message),
  );
});

test("a changed heldOut no longer matches the version: the bundle was altered", () => {
  const json = jsonOf(sealBundle({ ...unversioned(), heldOut: FROM }));
  assert.throws(
    () => bundleFromJSON({ ...json, heldOut: { ...FROM, at: FROM.at - 86_400_000 } }),
    (e: unknown) => isViralityError(e, "VIR_MODEL_INVALID") && /version .* content hashes to/.test(e.message),
  );
  const { heldOut: _dropped, ...withoutRecord } = json;
  assert.throws(() => bundleFromJSON(withoutRecord), (e: unknown) => isViralityError(e, "VIR_MODEL_INVALID") && /altered/.test(e.message));
});

test("a malformed heldOut is refused with VIR_MODEL_INVALID naming the field", () => {
  const json = jsonOf(sealBundle({ ...unversioned(), heldOut: FROM }));
  const cases: [string, unknown][] = [
    ["heldOut", null],
    ["heldOut", [1]],
    ["heldOut.kind", { kind: "random" }],
    ["heldOut.at", { kind: "uploadedFrom", at: "2024-05-05", rows: 3 }],
    ["heldOut.rows", { kind: "uploadedFrom", at: 1, rows: -1 }],
    ["heldOut.rows", { kind: "uploadedFrom", at: 1, rows: 2.5 }],
    ["heldOut.ids", { kind: "videos", ids: "vid0003" }],
    ["heldOut.ids[1]", { kind: "videos", ids: ["a", ""] }],
    ["heldOut.ids[1]", { kind: "videos", ids: ["b", "a"] }],
    ["heldOut.ids[2]", { kind: "videos", ids: ["a", "b", "b"] }],
  ];
  for (const [field, heldOut] of cases) {
    assert.throws(
      () => bundleFromJSON({ ...json, heldOut }),
      (e: unknown) => isViralityError(e, "VIR_MODEL_INVALID") && e.message.startsWith(`model bundle: ${field} `),
      `${field}: ${JSON.stringify(heldOut)}`,
    );
  }
});
