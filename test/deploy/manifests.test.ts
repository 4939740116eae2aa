// Pins that the container manifests agree with the code: image names, the metrics port, env names.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { ENV_VARS, loadConfig } from "../../src/config.js";
import { IMAGES } from "../../src/ops/containers.js";
import { repoRoot } from "../../src/ops/services.js";

const deployDir = path.join(repoRoot(), "deploy");
const knownEnv = new Set(Object.keys(ENV_VARS));
const metricsPort = loadConfig({ env: {} }).http.port;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Every value found under `key` anywhere in a parsed document. */
function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const item of node) collect(item, key, out);
  else if (isRecord(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

test("compose.yaml uses our images, env names and metrics port", () => {
  const compose: unknown = parse(readFileSync(path.join(deployDir, "compose.yaml"), "utf8"));
  assert.ok(isRecord(compose) && isRecord(compose["services"]));
  const services = compose["services"];
  const images = Object.values(services).flatMap((s) => (isRecord(s) && typeof s["image"] === "string" ? [s["image"]] : []));
  for (const image of Object.values(IMAGES)) assert.ok(images.includes(image), `compose lacks ${image}`);
  const scorer = services["scorer"];
  assert.ok(isRecord(scorer) && isRecord(scorer["environment"]));
  for (const name of Object.keys(scorer["environment"])) assert.ok(knownEnv.has(name), `compose sets unknown env ${name}`);
  assert.equal(scorer["environment"]["VIRALITY_HTTP_PORT"], String(metricsPort));
  assert.deepEqual(scorer["ports"], [`127.0.0.1:${metricsPort}:${metricsPort}`]);
});

test("k8s manifests parse and agree with the code", () => {
  const docs = readdirSync(path.join(deployDir, "k8s"))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(deployDir, "k8s", f), "utf8")).map((d) => d.toJS()));
  const kinds = docs.flatMap((d) => (isRecord(d) && typeof d["kind"] === "string" ? [d["kind"]] : []));
  for (const kind of ["Deployment", "ConfigMap", "Service", "StatefulSet"]) assert.ok(kinds.includes(kind), `no ${kind}`);
  const images = collect(docs, "image");
  for (const image of [...Object.values(IMAGES), "virality:local"]) assert.ok(images.includes(image), `k8s lacks ${image}`);
  const configMap = docs.find((d) => isRecord(d) && d["kind"] === "ConfigMap");
  assert.ok(isRecord(configMap) && isRecord(configMap["data"]));
  for (const name of Object.keys(configMap["data"])) assert.ok(knownEnv.has(name), `ConfigMap sets unknown env ${name}`);
  assert.equal(configMap["data"]["VIRALITY_HTTP_PORT"], String(metricsPort));
  assert.ok(collect(docs, "containerPort").includes(metricsPort), "no container exposes the metrics port");
  // probes hit the scorer's health endpoints
  const paths = collect(docs, "path");
  assert.ok(paths.includes("/readyz") && paths.includes("/healthz"));
});
