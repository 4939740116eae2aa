/**
 * An idle kafkajs client as published and as patched: kafkajs 2.2.4's request queue re-arms a 1 ms
 * timer forever on every broker connection, with nothing to send (tulios/kafkajs#1556, #1704);
 * deploy/patches arms it only while a request waits or the broker throttles. Each run is a child
 * process with a connected producer, admin and consumer (a group member on a fresh 3-partition topic,
 * after one message), idle for `--seconds`; the published variant puts 2.2.4's scheduling back into
 * the installed queue. The two alternate `--runs` times; it prints each one's CPU (100 % = one core)
 * and the timers armed while idle.
 *
 *   node dist/bench/kafkajs-idle.js [--runs 3] [--seconds 10]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig } from "../src/config.js";
import { createKafka, createProducer, ensureTopics } from "../src/ingest/kafka.js";
import { isRecord } from "../src/json-guards.js";
import { createLogger } from "../src/logger.js";
import { discoverServices } from "../src/ops/services.js";
import { timersArmedDuring } from "../test/support/timers.js";
import { positiveArg } from "./args.js";

type Variant = "published" | "installed";

/** The request queue's fields the scheduling reads. */
interface QueueState {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

/** kafkajs 2.2.4's RequestQueue#scheduleCheckPendingRequests as published (MIT), for comparison. */
function publishedSchedule(this: QueueState): void {
  let scheduleAt = this.throttledUntil - Date.now();
  if (!this.throttleCheckTimeoutId) {
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : 10;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, scheduleAt);
  }
}

function usePublishedScheduling(): void {
  const queue: unknown = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js");
  const prototype: unknown = typeof queue === "function" ? queue.prototype : undefined;
  if (!isRecord(prototype) || typeof prototype["scheduleCheckPendingRequests"] !== "function") {
    throw new Error("kafkajs/src/network/requestQueue/index.js has no RequestQueue#scheduleCheckPendingRequests: is kafkajs 2.2.4 installed?");
  }
  Reflect.set(prototype, "scheduleCheckPendingRequests", publishedSchedule);
}

/** One idle client (this process): prints {cpu, timers} as JSON. */
async function child(variant: Variant, seconds: number): Promise<void> {
  if (variant === "published") usePublishedScheduling();
  const services = await discoverServices();
  const id = `idle-${randomBytes(3).toString("hex")}`;
  const config = loadConfig({ env: {}, overrides: { kafka: { brokers: services.kafkaBrokers, clientId: id }, registry: { url: services.registryUrl }, redis: { url: services.redisUrl } } });
  const kafka = createKafka(config, createLogger("silent"));
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  const consumer = kafka.consumer({ groupId: `${id}.group` });
  await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  try {
    await ensureTopics(admin, [id], 3);
    await consumer.subscribe({ topics: [id], fromBeginning: true });
    let received = false;
    await consumer.run({
      eachMessage: async () => {
        received = true;
      },
    });
    await producer.send({ topic: id, messages: [{ key: "k", value: "v" }] });
    const since = Date.now();
    while (!received) {
      if (Date.now() - since > 30_000) throw new Error("the consumer received nothing in 30 s");
      await sleep(100);
    }
    await sleep(2_000);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const timers = await timersArmedDuring(() => sleep(seconds * 1000));
    const used = process.cpuUsage(cpu0);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
    process.stdout.write(`${JSON.stringify({ cpu: (used.user + used.system) / wallUs, timers })}\n`);
  } finally {
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [id] }).catch(() => undefined);
    await admin.deleteGroups([`${id}.group`]).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}

function runChild(variant: Variant, seconds: number): Promise<{ cpu: number; timers: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), "--child", variant, "--seconds", String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    proc.on("error", reject);
    proc.on("exit", (code) => {
      const parsed: unknown = code === 0 ? JSON.parse(out.trim().split("\n").at(-1) ?? "null") : null;
      if (isRecord(parsed) && typeof parsed["cpu"] === "number" && typeof parsed["timers"] === "number") resolve({ cpu: parsed["cpu"], timers: parsed["timers"] });
      else reject(new Error(`the ${variant} child exited with code ${code}: ${out}`));
    });
  });
}

const childAt = process.argv.indexOf("--child");
const seconds = positiveArg("seconds", 10);
if (childAt >= 0) {
  const variant = process.argv[childAt + 1];
  if (variant !== "published" && variant !== "installed") throw new Error(`--child takes published or installed, not ${variant}`);
  await child(variant, seconds);
} else {
  const runs = positiveArg("runs", 3, true);
  console.log(`kafkajs idle client: producer + admin + consumer, ${seconds} s idle (${new Date().toISOString()}, Node ${process.version})`);
  console.log("  run   variant      CPU of one core   timers armed");
  const cpu: Record<Variant, number[]> = { published: [], installed: [] };
  for (let r = 1; r <= runs; r++) {
    for (const variant of ["published", "installed"] as const) {
      const result = await runChild(variant, seconds);
      cpu[variant].push(result.cpu);
      console.log(`  ${String(r).padStart(3)}   ${variant.padEnd(9)}   ${(result.cpu * 100).toFixed(2).padStart(13)} %   ${String(result.timers).padStart(12)}`);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const a = median(cpu.published);
  const b = median(cpu.installed);
  console.log(`  median CPU: published ${(a * 100).toFixed(2)} %, installed ${(b * 100).toFixed(2)} % (${(a / b).toFixed(1)}× as much as installed)`);
}
