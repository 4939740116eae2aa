import { createHook } from "node:async_hooks";

/** How many timers (setTimeout/setInterval) this process armed while `work` ran, by async_hooks. */
export async function timersArmedDuring(work: () => Promise<unknown>): Promise<number> {
  let timers = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === "Timeout") timers++;
    },
  });
  hook.enable();
  try {
    await work();
  } finally {
    hook.disable();
  }
  return timers;
}
