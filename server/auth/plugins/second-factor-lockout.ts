import type { BetterAuthPlugin, GenericEndpointContext } from "better-auth";
import { APIError, getIP, getSessionFromCtx, isAPIError } from "better-auth/api";
import { TWO_FACTOR_ERROR_CODES } from "better-auth/plugins";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { twoFactor } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import {
  claimAttempt,
  clearAttempts,
  lockAttempts,
  recordFailedAttempt,
  releaseAttempt,
  sweepAttemptLimits,
  type AttemptPolicy,
} from "@/server/auth/attempt-limit";
import { pendingSignInUserId } from "@/server/auth/pending-sign-in";
import { authPlugin, hook } from "./define";

/** Where a code is checked: a pending sign-in's challenge, a new authenticator app's confirmation, a step-up. */
const CODE_PATHS = new Set(["/two-factor/verify-totp", "/two-factor/verify-backup-code", "/two-factor/verify-otp"]);

/** What the endpoint answered when it checked a code and the code was wrong. */
const WRONG_CODE = new Set<string>([TWO_FACTOR_ERROR_CODES.INVALID_CODE.code, TWO_FACTOR_ERROR_CODES.INVALID_BACKUP_CODE.code]);

/** Counters idle this long are gone; no lockout in Gatehouse looks back further than a day. */
const SWEEP_AFTER_MS = 24 * 60 * 60 * 1000;
/** Sweeping costs a delete; once a minute per instance keeps the table small. */
const SWEEP_INTERVAL_MS = 60_000;

export function accountAttemptKey(userId: string): string {
  return `mfa:user:${userId}`;
}

export function networkAttemptKey(ip: string): string {
  return `mfa:ip:${ip}`;
}

/** The attempts one request claimed, for its after hook to settle. */
interface Claimed {
  userId: string | null;
  accountKey: string | null;
  networkKey: string | null;
}

function minutesFrom(ms: number): number {
  return Math.max(1, Math.ceil(ms / 60_000));
}

function retryAfter(ms: number): Record<string, string> {
  return { "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))) };
}

/**
 * The lockouts on second-factor codes, counted atomically before the plugin checks a code:
 *
 * - per account: five wrong codes in 15 minutes lock the account's codes for 15 minutes, at sign-in
 *   challenges, when confirming a new authenticator app and in step-ups alike. The twoFactor
 *   plugin's own lockout stays behind it, but it reads its counter before checking the code, so a
 *   burst over several challenges all got checked; this claim lets at most five through.
 * - per network: five wrong codes from one client IP in 15 minutes, whatever the accounts, lock that
 *   IP out of sign-in challenges for 15 minutes. A request whose IP cannot be resolved is left to the
 *   per-account lockout: pooling all of them would let one person lock everyone else out. The IP is
 *   the one better-auth's limiter uses (`getIP` with the instance's `advanced.ipAddress` options).
 *
 * Each lock is audited once (`auth.mfa_locked`, scope `user` or `ip`), and refusals say when to retry.
 */
export function secondFactorLockout({ db, policy }: { db: Database; policy: AttemptPolicy }): BetterAuthPlugin {
  const claims = new WeakMap<object, Claimed>();
  let lastSweepAt = 0;

  function clientIp(ctx: GenericEndpointContext): string | null {
    const source = ctx.request ?? ctx.headers;
    return source ? getIP(source, ctx.context.options) : null;
  }

  async function pluginLockedUntil(userId: string): Promise<Date | null> {
    const [row] = await db.select({ lockedUntil: twoFactor.lockedUntil }).from(twoFactor).where(eq(twoFactor.userId, userId)).limit(1);
    return row?.lockedUntil ?? null;
  }

  async function sweep(now: number) {
    if (now - lastSweepAt < SWEEP_INTERVAL_MS) return;
    lastSweepAt = now;
    await sweepAttemptLimits(db, SWEEP_AFTER_MS, now);
  }

  async function claim(ctx: GenericEndpointContext): Promise<Claimed> {
    const current = await getSessionFromCtx(ctx);
    // No session: the request answers a sign-in challenge, which is what the network lockout guards.
    const ip = current ? null : clientIp(ctx);
    const userId = current?.user.id ?? ((await pendingSignInUserId(ctx)) || null);
    const networkKey = ip ? networkAttemptKey(ip) : null;
    const accountKey = userId ? accountAttemptKey(userId) : null;

    if (networkKey) {
      const network = await claimAttempt(db, networkKey, policy);
      if (!network.allowed) {
        const minutes = minutesFrom(network.retryAfterMs);
        throw new APIError(
          "TOO_MANY_REQUESTS",
          {
            message: `Too many wrong codes from this network. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
            code: "MFA_NETWORK_LOCKED",
          },
          retryAfter(network.retryAfterMs),
        );
      }
    }
    if (accountKey) {
      const account = await claimAttempt(db, accountKey, policy);
      if (!account.allowed) {
        if (networkKey) await releaseAttempt(db, networkKey);
        throw new APIError("TOO_MANY_REQUESTS", TWO_FACTOR_ERROR_CODES.ACCOUNT_TEMPORARILY_LOCKED, retryAfter(account.retryAfterMs));
      }
    }
    return { userId, accountKey, networkKey };
  }

  async function settleWrongCode(ctx: GenericEndpointContext, claimed: Claimed, now: number) {
    if (claimed.networkKey && (await recordFailedAttempt(db, claimed.networkKey, policy, now))) {
      await recordAuthEvent(db, { action: "auth.mfa_locked", userId: claimed.userId, headers: ctx.headers, details: { scope: "ip" } });
    }
    if (!claimed.accountKey || !claimed.userId) return;
    let lockBegan = (await recordFailedAttempt(db, claimed.accountKey, policy, now)) !== null;
    if (!lockBegan) {
      // The plugin counts consecutive failures however far apart, so it can lock where this window did not.
      const lockedUntil = await pluginLockedUntil(claimed.userId);
      if (lockedUntil && lockedUntil.getTime() > now) lockBegan = await lockAttempts(db, claimed.accountKey, lockedUntil, now);
    }
    if (lockBegan) {
      await recordAuthEvent(db, { action: "auth.mfa_locked", userId: claimed.userId, headers: ctx.headers, details: { scope: "user" } });
    }
  }

  return authPlugin({
    id: "gatehouse-second-factor-lockout",
    before: [
      hook(CODE_PATHS, async (ctx) => {
        claims.set(ctx.context, await claim(ctx));
      }),
    ],
    after: [
      hook(CODE_PATHS, async (ctx) => {
        const claimed = claims.get(ctx.context);
        if (!claimed) return;
        claims.delete(ctx.context);
        const returned = ctx.context.returned;
        const now = Date.now();
        const code = isAPIError(returned) ? String(returned.body?.code ?? "") : null;
        if (code !== null && WRONG_CODE.has(code)) {
          await settleWrongCode(ctx, claimed, now);
        } else if (code === null) {
          if (claimed.networkKey) await releaseAttempt(db, claimed.networkKey);
          if (claimed.accountKey) await clearAttempts(db, claimed.accountKey);
        } else {
          // Refused before any code was checked (an expired challenge, the plugin's own lock, a malformed body).
          if (claimed.networkKey) await releaseAttempt(db, claimed.networkKey);
          if (claimed.accountKey) await releaseAttempt(db, claimed.accountKey);
          if (code === TWO_FACTOR_ERROR_CODES.ACCOUNT_TEMPORARILY_LOCKED.code && claimed.userId) {
            const lockedUntil = (await pluginLockedUntil(claimed.userId))?.getTime() ?? 0;
            if (lockedUntil > now) ctx.setHeader("Retry-After", String(Math.ceil((lockedUntil - now) / 1000)));
          }
        }
        await sweep(now);
      }),
    ],
  });
}
