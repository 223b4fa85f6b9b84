import { and, eq, gte, lt, or, isNull, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { attemptLimit } from "@/db/schema";

/**
 * A lockout: at most `maxAttempts` attempts within `windowMs`; once that many have failed, the key
 * is locked for `lockoutMs`.
 */
export interface AttemptPolicy {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
}

export type AttemptClaim = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts one attempt for `key` before the secret behind it is checked, in one upsert, and says
 * whether it may go ahead. Reading a counter and writing it back in two statements lets every
 * request of a parallel burst read the same low count; here each one gets its own count back, so at
 * most `maxAttempts` of any burst go ahead.
 *
 * A claim that turns out right calls `clearAttempts` (a per-account counter) or `releaseAttempt`
 * (a shared counter such as a network's, which one good account must not reset); a wrong one calls
 * `recordFailedAttempt`.
 */
export async function claimAttempt(db: Executor, key: string, policy: AttemptPolicy, now = Date.now()): Promise<AttemptClaim> {
  const windowOpenedAfter = now - policy.windowMs;
  // In an upsert every SET expression reads the row as it was before the statement.
  const locked = sql`coalesce(${attemptLimit.lockedUntil}, 0) > ${now}`;
  // A window that has run out, or a lock that has ended, starts the count again.
  const startOver = sql`(not ${locked} and (${attemptLimit.windowStartedAt} <= ${windowOpenedAfter} or ${attemptLimit.lockedUntil} is not null))`;
  const [row] = await db
    .insert(attemptLimit)
    .values({ key, attempts: 1, windowStartedAt: new Date(now), lockedUntil: null })
    .onConflictDoUpdate({
      target: attemptLimit.key,
      set: {
        attempts: sql`case when ${locked} then ${attemptLimit.attempts} when ${startOver} then 1 else ${attemptLimit.attempts} + 1 end`,
        windowStartedAt: sql`case when ${startOver} then ${now} else ${attemptLimit.windowStartedAt} end`,
        lockedUntil: sql`case when ${locked} then ${attemptLimit.lockedUntil} else null end`,
      },
    })
    .returning({ attempts: attemptLimit.attempts, windowStartedAt: attemptLimit.windowStartedAt, lockedUntil: attemptLimit.lockedUntil });
  if (!row) throw new Error("The attempt counter was not written.");
  const lockedUntil = row.lockedUntil?.getTime() ?? 0;
  if (lockedUntil > now) return { allowed: false, retryAfterMs: lockedUntil - now };
  if (row.attempts > policy.maxAttempts) {
    return { allowed: false, retryAfterMs: Math.max(1000, row.windowStartedAt.getTime() + policy.windowMs - now) };
  }
  return { allowed: true };
}

/**
 * A claimed attempt failed. Returns the end of the lock when this failure is the one that began it
 * (so that exactly one audit row says the key was locked), otherwise null.
 */
export async function recordFailedAttempt(db: Executor, key: string, policy: AttemptPolicy, now = Date.now()): Promise<Date | null> {
  const lockedUntil = new Date(now + policy.lockoutMs);
  const [locked] = await db
    .update(attemptLimit)
    .set({ lockedUntil })
    .where(
      and(
        eq(attemptLimit.key, key),
        gte(attemptLimit.attempts, policy.maxAttempts),
        or(isNull(attemptLimit.lockedUntil), lt(attemptLimit.lockedUntil, new Date(now))),
      ),
    )
    .returning({ key: attemptLimit.key });
  return locked ? lockedUntil : null;
}

/**
 * Locks the key until `until`, unless it is locked already: for a lock decided elsewhere (a library's
 * own counter) that this limiter must honour too. True when this call began the lock, so that one
 * audit row says so however many requests saw it at once. The key must have been claimed.
 */
export async function lockAttempts(db: Executor, key: string, until: Date, now = Date.now()): Promise<boolean> {
  const [locked] = await db
    .update(attemptLimit)
    .set({ lockedUntil: until })
    .where(and(eq(attemptLimit.key, key), or(isNull(attemptLimit.lockedUntil), lt(attemptLimit.lockedUntil, new Date(now)))))
    .returning({ key: attemptLimit.key });
  return locked !== undefined;
}

/** The claimed attempt was right: the key starts afresh. */
export async function clearAttempts(db: Executor, key: string): Promise<void> {
  await db.delete(attemptLimit).where(and(eq(attemptLimit.key, key), or(isNull(attemptLimit.lockedUntil), lt(attemptLimit.lockedUntil, new Date()))));
}

/** The claimed attempt was right, on a counter shared by several accounts: only this attempt is given back. */
export async function releaseAttempt(db: Executor, key: string): Promise<void> {
  await db
    .update(attemptLimit)
    .set({ attempts: sql`max(${attemptLimit.attempts} - 1, 0)` })
    .where(eq(attemptLimit.key, key));
}

/** When the key's lock ends, if it is locked now. */
export async function attemptsLockedUntil(db: Executor, key: string, now = Date.now()): Promise<Date | null> {
  const [row] = await db.select({ lockedUntil: attemptLimit.lockedUntil }).from(attemptLimit).where(eq(attemptLimit.key, key)).limit(1);
  const until = row?.lockedUntil;
  return until && until.getTime() > now ? until : null;
}

/** Rows whose window and lock both ended long ago carry nothing a claim needs. */
export async function sweepAttemptLimits(db: Executor, olderThanMs: number, now = Date.now()): Promise<void> {
  const cutoff = new Date(now - olderThanMs);
  await db
    .delete(attemptLimit)
    .where(and(lt(attemptLimit.windowStartedAt, cutoff), or(isNull(attemptLimit.lockedUntil), lt(attemptLimit.lockedUntil, cutoff))));
}
