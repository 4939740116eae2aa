/**
 * Keeping a video's last published score current when batches race. Batches of different partitions
 * run concurrently (and another scorer of the group may hold a video's other topic), so a batch can
 * publish a score computed from a state that another batch has already overtaken and scored; the stale
 * record would then be the video's last. The publisher returns, per video, the input times a score was
 * computed from and the times in the store right after publishing; where they differ the video is read
 * again and scored again, until nothing moved (at most `rounds` times).
 */
import type { Predictor } from "../model/predictor.js";
import type { StoredVideo, VideoStore } from "../store/video-store.js";
import type { PublishResult, ScorePublisher } from "./score-publisher.js";

/** Runs one step (a Redis read or a publish); the scorer passes its retry-with-backoff. */
export type Attempt = <T>(what: string, work: () => Promise<T>) => Promise<T>;

const once: Attempt = (_what, work) => work();

/** Scores again what was overtaken; returns how many scores it published for that. */
export async function rescoreIfOvertaken(
  result: PublishResult,
  predictor: Predictor | null,
  store: VideoStore,
  publisher: ScorePublisher,
  attempt: Attempt = once,
  rounds = 5,
): Promise<number> {
  let last = result;
  let published = 0;
  for (let round = 0; round < rounds && last.scoredInputs.size > 0 && predictor !== null; round++) {
    const { scoredInputs, inputsAfter } = last;
    const moved = [...scoredInputs.keys()].filter((id) => inputsAfter.get(id) !== scoredInputs.get(id));
    if (moved.length === 0) break;
    const videos: Map<string, StoredVideo> = await attempt("reading from Redis", () => store.read(moved));
    last = await attempt("publishing", () => publisher.publish(videos.values(), predictor, [], true));
    published += last.scores.length;
  }
  return published;
}
