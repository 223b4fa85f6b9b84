import { availableParallelism } from "node:os";
import { hashPassword, verifyPassword } from "better-auth/crypto";

/**
 * better-auth's own scrypt (unchanged strength), run at most `limit` at a time. Each hash holds about
 * 32 MB while it runs (128 · N · r bytes) on one of libuv's four threads; on a machine with fewer
 * cores than that, more hashes at once finish no sooner, they only hold more memory: a burst of
 * sign-ins pushed the server's resident size up by 130 MB. Waiting hashes queue in arrival order.
 */
export function boundedPasswordHashing(limit = Math.max(1, Math.min(4, availableParallelism()))) {
  let running = 0;
  const waiting: (() => void)[] = [];
  async function bounded<T>(work: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) next();
      else running -= 1;
    }
  }
  return {
    hash: (password: string) => bounded(() => hashPassword(password)),
    verify: ({ hash, password }: { hash: string; password: string }) => bounded(() => verifyPassword({ hash, password })),
    /** How many hashes run now and wait now, for the test. */
    load: () => ({ running, waiting: waiting.length }),
  };
}
