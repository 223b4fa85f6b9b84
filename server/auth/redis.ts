import { redisStorage } from "@better-auth/redis-storage";
import type { BetterAuthRateLimitStorage, SecondaryStorage } from "better-auth";
import Redis from "ioredis";

/** Every key Gatehouse writes starts with this, so a Redis shared with other software stays apart. */
const KEY_PREFIX = "gatehouse:";

/** A connection to `REDIS_URL`. Commands fail after a few retries instead of hanging a sign-in. */
export function connectRedis(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 3 });
  // Without a listener ioredis prints every reconnect attempt as an unhandled error.
  client.on("error", (error: Error) => console.warn(`Redis: ${error.message}`));
  return client;
}

/**
 * One atomic step in Redis: count the request, start the window on the first one, and report how
 * long the window still runs, so a refusal can say exactly when to come back.
 */
const CONSUME_SCRIPT = `
local count = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * Fixed windows shared by every instance using the same Redis. better-auth's own "secondary-storage"
 * mode counts the same way but always gives the full window as the wait; this gives the time left.
 */
function redisRateLimitStorage(client: Redis): BetterAuthRateLimitStorage {
  return {
    async consume(key, rule) {
      const reply = (await client.eval(CONSUME_SCRIPT, 1, `${KEY_PREFIX}rate-limit:${key}`, rule.window * 1000)) as [number, number];
      const [count, ttlMs] = reply;
      if (count <= rule.max) return { allowed: true, retryAfter: null };
      return { allowed: false, retryAfter: Math.max(1, Math.ceil(ttlMs / 1000)) };
    },
  };
}

/**
 * better-auth would also copy verification values (reset links, sign-in challenges, trusted devices)
 * into its secondary storage and read them from there first. Gatehouse deletes some of those rows
 * itself (an administrator's MFA reset removes the user's trusted devices), and a Redis copy would
 * outlive that, so they stay in the database alone (`verification.storeInDatabase`).
 */
function withoutVerificationValues(storage: SecondaryStorage): SecondaryStorage {
  const skipped = (key: string) => key.startsWith("verification:");
  return {
    get: (key) => (skipped(key) ? null : storage.get(key)),
    getAndDelete: (key) => (skipped(key) ? null : storage.getAndDelete(key)),
    increment: (key, ttl) => storage.increment(key, ttl),
    set: (key, value, ttl) => (skipped(key) ? undefined : storage.set(key, value, ttl)),
    delete: (key) => (skipped(key) ? undefined : storage.delete(key)),
  };
}

/** What better-auth keeps in Redis when it is configured: the session cache and the request counters. */
export function redisAuthStorage(client: Redis): { secondaryStorage: SecondaryStorage; rateLimitStorage: BetterAuthRateLimitStorage } {
  return {
    secondaryStorage: withoutVerificationValues(redisStorage({ client, keyPrefix: KEY_PREFIX })),
    rateLimitStorage: redisRateLimitStorage(client),
  };
}
