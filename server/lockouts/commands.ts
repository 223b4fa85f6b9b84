import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { attemptLimit, twoFactor } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import type { Authority } from "@/server/authz/authority";
import { authorizeIn } from "@/server/authz/guard";
import { assertMayActOnAccount, loadAccountTargets, type AccountTarget } from "@/server/users/commands";

/** The attempt limits that lock (see queries.ts): an account's codes, an account's step-ups, a network's codes. */
export type LockoutLimit = "account-codes" | "account-step-up" | "network-codes";

export const LOCKOUT_NOT_FOUND = "Lockout not found; it may have ended or been cleared already.";

/** One lockout, with whom it holds back: an account (with its domain for the permission check) or a network address. */
export interface Lockout {
  /** The limiter's counter, which names the lockout. */
  key: string;
  limit: LockoutLimit;
  limitLabel: string;
  /** The account locked out, for the account limits. */
  userId: string | null;
  email: string | null;
  name: string | null;
  /** The client address locked out, for the network limit. */
  address: string | null;
  attempts: number;
  lockedUntil: Date;
  /** The account's only domain, where its administrators clear it; null for a global decision (a network, an account in several domains or none). */
  domainId: string | null;
}

/** The account behind an account lockout, as the account-wide rules see it. */
async function accountOfLockout(db: Executor, lockout: Lockout): Promise<AccountTarget | null> {
  if (!lockout.userId || !lockout.email) return null;
  return (await loadAccountTargets(db, [{ id: lockout.userId, email: lockout.email }])).get(lockout.userId) ?? null;
}

/**
 * Who may clear a lockout, the rule `lockouts.unlock` enforces and `can.unlock` reports: users:admin
 * where the lockout lives (the account's only domain, else globally; a network's always globally),
 * over an account that holds no permission the caller lacks, as for a ban. Nobody clears their own:
 * the lock is what stops a stolen session from guessing the password or a code.
 */
export function assertMayUnlock(authority: Authority, caller: { userId: string }, lockout: Lockout, account: AccountTarget | null): void {
  authorizeIn(authority, { permission: "users:admin", domainId: lockout.domainId, visibleWith: "users:read", notFound: LOCKOUT_NOT_FOUND });
  if (account) {
    assertMayActOnAccount(authority, "users:admin", account);
    if (account.id === caller.userId) {
      throw new TRPCError({ code: "FORBIDDEN", message: "You cannot clear your own lockout; ask another administrator, or wait until it ends." });
    }
  }
}

export interface LockoutsContext {
  db: Executor & { transaction: <T>(run: (tx: Executor) => Promise<T>) => Promise<T> };
  actor: AuditActor;
  authority: Authority;
  user: { id: string };
}

/**
 * Clears a lockout: the limiter's counter starts afresh, and for second-factor codes the two-factor
 * plugin's own count and lock too (it would otherwise still refuse the account). Audited as
 * `lockout.cleared` in the same transaction.
 */
export async function unlock(ctx: LockoutsContext, lockout: Lockout) {
  return ctx.db.transaction(async (tx) => {
    assertMayUnlock(ctx.authority, { userId: ctx.user.id }, lockout, await accountOfLockout(tx, lockout));
    const [cleared] = await tx.delete(attemptLimit).where(eq(attemptLimit.key, lockout.key)).returning({ attempts: attemptLimit.attempts });
    if (!cleared) throw new TRPCError({ code: "NOT_FOUND", message: LOCKOUT_NOT_FOUND });
    if (lockout.limit === "account-codes" && lockout.userId) {
      await tx.update(twoFactor).set({ lockedUntil: null, failedVerificationCount: 0 }).where(eq(twoFactor.userId, lockout.userId));
    }
    await recordEvent(tx, ctx.actor, {
      action: "lockout.cleared",
      targetType: lockout.userId ? "user" : "address",
      targetId: lockout.userId ?? lockout.address,
      domainId: lockout.domainId,
      details: { limit: lockout.limit, email: lockout.email, attempts: cleared.attempts, lockedUntil: lockout.lockedUntil },
    });
    return { cleared: true as const };
  });
}
