// Pins the library inference call: embedding from fused.pt, extra features through the spec, a
// missing video named in the error, and the same numbers as the batch predictor.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../src/errors.js";
import { readFused } from "../src/io/fused.js";
import { Predictor } from "../src/model/predictor.js";
import { predictScore } from "../src/predict-score.js";
import { trainedWorld } from "./support/scoring.js";
import path from "node:path";

test("predictScore uses fused.pt and extra features, and names a missing video", async () => {
  const { world, bundle, dir } = await trainedWorld();
  const fused = await readFused(path.join(dir, "fused.pt"));
  const video = world.videos[4];
  assert.ok(video);
  const base = {
    channel_id: video.channelId,
    uploaded_at: new Date(video.uploadedAt).toISOString(),
    duration_seconds: video.durationSeconds,
    language: video.language,
    cluster_id: video.clusterId,
  };
  const atUpload = await predictScore(video.videoId, base, { bundle, fused });
  assert.equal(atUpload.stage, "upload");
  assert.equal(atUpload.modelVersion, bundle.version);
  const at6h = await predictScore(video.videoId, { ...base, views_1h: 500, views_6h: 2_000 }, { bundle, fused });
  assert.equal(at6h.stage, "6h");
  assert.ok(at6h.interval.low <= at6h.predictedViews && at6h.predictedViews <= at6h.interval.high);
  const direct = new Predictor(bundle).predict({
    upload: { video_id: video.videoId, channel_id: video.channelId, uploaded_at: video.uploadedAt, duration_seconds: video.durationSeconds, language: video.language, cluster_id: video.clusterId, captions: null, extras: {} },
    embedding: fused.data.slice(fused.ids.indexOf(video.videoId) * fused.dim, (fused.ids.indexOf(video.videoId) + 1) * fused.dim),
    engagement: [],
  });
  assert.equal(atUpload.predictedTarget, direct?.predictedTarget);
  await assert.rejects(predictScore("no-such-video", base, { bundle, fused }), (e: unknown) => isViralityError(e, "VIR_VIDEO_NOT_FOUND") && /no-such-video/.test(e.message));
});
