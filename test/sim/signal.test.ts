// Proves the default world has the learnable structure the stage models need: strong early counts, partial content signal.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { WorldVideo } from "../../src/sim/types.js";
import { simulateWorld } from "../../src/sim/world.js";
import { correlation, fitRidge, predictRidge, rSquared, szaboHuberman } from "./stats.js";

const videos = simulateWorld().videos;
const label = videos.map((v) => Math.log1p(v.outcome.views));
// Every other video trains, the rest tests (videos are in upload order, so both halves span the weeks).
const train = videos.flatMap((_, i) => (i % 2 === 0 ? [i] : []));
const heldOut = videos.flatMap((_, i) => (i % 2 === 1 ? [i] : []));

function heldOutR2(features: (v: WorldVideo) => number[], target: readonly number[], lambda: number): { r2: number; predicted: Float64Array } {
  const model = fitRidge(train.map((i) => features(videos[i] ?? first())), train.map((i) => target[i] ?? 0), lambda);
  const predicted = predictRidge(model, heldOut.map((i) => features(videos[i] ?? first())));
  return { r2: rSquared(heldOut.map((i) => target[i] ?? 0), predicted), predicted };
}

function first(): WorldVideo {
  const video = videos[0];
  if (video === undefined) throw new Error("empty world");
  return video;
}

function uploadColumns(v: WorldVideo): number[] {
  const hour = new Date(v.uploadedAt).getUTCHours();
  return [
    Math.log(v.numericExtras["channel_followers"] ?? 1),
    Math.log(v.durationSeconds ?? 30),
    v.captions === true ? 1 : 0,
    Math.cos((2 * Math.PI * hour) / 24),
    Math.sin((2 * Math.PI * hour) / 24),
    v.categoricalExtras["orientation"] === "portrait" ? 1 : 0,
    v.language === "en" ? 1 : 0,
    v.numericExtras["title_words"] ?? 0,
  ];
}

test("Szabo–Huberman on the 6h count explains the label well and better than the upload-stage columns", () => {
  const sixHours = szaboHuberman(videos.map((v) => v.h6.views), videos.map((v) => v.outcome.views));
  const oneHour = szaboHuberman(videos.map((v) => v.h1.views), videos.map((v) => v.outcome.views));
  const upload = heldOutR2(uploadColumns, label, 1).r2;
  assert.ok(sixHours.r2 > 0.5, `SH 6h R² ${sixHours.r2}`);
  assert.ok(sixHours.r2 > oneHour.r2, `SH 6h ${sixHours.r2} vs 1h ${oneHour.r2}`);
  assert.ok(sixHours.r2 > upload + 0.15, `SH 6h ${sixHours.r2} vs upload columns ${upload}`);
  assert.ok(sixHours.r > 0 && oneHour.r > sixHours.r, "views keep growing after 1h and 6h");
});

test("content alone reaches a modest R², and it predicts the Szabo–Huberman residual", () => {
  const embedding = (v: WorldVideo): number[] => Array.from(v.embedding);
  const content = heldOutR2(embedding, label, 30).r2;
  assert.ok(content > 0.15 && content < 0.45, `content-only ridge R² ${content}`);

  for (const window of ["h1", "h6"] as const) {
    const { r } = szaboHuberman(train.map((i) => videos[i]?.[window].views ?? 0), train.map((i) => videos[i]?.outcome.views ?? 0));
    const residual = videos.map((v, i) => (label[i] ?? 0) - Math.log1p(v[window].views) - r);
    const { predicted } = heldOutR2(embedding, residual, 30);
    const held = heldOut.map((i) => residual[i] ?? 0);
    assert.ok(correlation(predicted, held) > 0.25, `${window}: content vs SH residual correlation ${correlation(predicted, held)}`);
  }
});
