/** Id formats of the simulated platform: YouTube-like video ids and channel ids. */
import type { Random } from "./random.js";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** 11 base64url characters, unique within `taken`. */
export function videoId(random: Random, taken: Set<string>): string {
  return uniqueId(() => random.text(11, BASE64URL), taken);
}

/** "UC" + 22 base64url characters, unique within `taken`. */
export function channelId(random: Random, taken: Set<string>): string {
  return uniqueId(() => `UC${random.text(22, BASE64URL)}`, taken);
}

function uniqueId(make: () => string, taken: Set<string>): string {
  let id = make();
  while (taken.has(id)) id = make();
  taken.add(id);
  return id;
}
