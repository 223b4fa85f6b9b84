import type { GenericEndpointContext } from "better-auth";
import { APIError, getIP, isAPIError } from "better-auth/api";
import { symmetricDecrypt } from "better-auth/crypto";
import { TWO_FACTOR_ERROR_CODES } from "better-auth/plugins";
import { desc, eq, lt } from "drizzle-orm";
import type { Database } from "@/db/client";
import { mfaFailure, twoFactor } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { storedSecretHash } from "@/server/oauth/config";

/**
 * Backup codes are stored as these digests only. The prefix tells a digest from a code, so storing a
 * list that already holds digests (the plugin re-stores the remaining ones after each use) leaves it
 * as it is.
 */
const BACKUP_CODE_DIGEST_PREFIX = "sha256:";

/**
 * The plugin's codes are ten random letters and digits around a dash, case-sensitive. Spaces and the
 * dash carry no information, so people may type them or leave them out; case does, so it stays.
 */
function backupCodeDigest(code: string): string {
  return BACKUP_CODE_DIGEST_PREFIX + storedSecretHash(code.replace(/[\s-]+/g, ""));
}

function digestAll(codes: unknown): string {
  const list = Array.isArray(codes) ? codes.filter((code): code is string => typeof code === "string") : [];
  return JSON.stringify(list.map((code) => (code.startsWith(BACKUP_CODE_DIGEST_PREFIX) ? code : backupCodeDigest(code))));
}

/**
 * The twoFactor plugin's `storeBackupCodes`: it hands over the JSON list to keep and compares the
 * submitted code with what it reads back, so the stored list and the submitted code (see the before
 * hook) are both SHA-256 digests. The codes are random and long, so a plain hash is enough, as for
 * OAuth secrets. The plugin shows new codes to the user once, before they reach this.
 *
 * Lists written before this (encrypted with the auth secret, not JSON) are read the old way and
 * become digests the next time the plugin stores them.
 */
export function hashedBackupCodes(secret: string) {
  return {
    encrypt: async (json: string) => digestAll(JSON.parse(json)),
    decrypt: async (stored: string) => {
      const json = stored.startsWith("[") ? stored : await symmetricDecrypt({ key: secret, data: stored });
      return digestAll(JSON.parse(json));
    },
  };
}

const VERIFY_BACKUP_CODE_PATH = "/two-factor/verify-backup-code";

/** What the endpoint answered when it checked a code and the code was wrong. */
const WRONG_CODE = new Set<string>([TWO_FACTOR_ERROR_CODES.INVALID_CODE.code, TWO_FACTOR_ERROR_CODES.INVALID_BACKUP_CODE.code]);

/** Sweeping old failures costs a delete; once a minute per instance is enough to keep the table small. */
const SWEEP_INTERVAL_MS = 60_000;

interface LockoutPolicy {
  /** Wrong codes within `lockoutSeconds` that lock, and how long the lock lasts. */
  maxFailedAttempts: number;
  lockoutSeconds: number;
}

export interface SecondFactorAttempt {
  /** No session: the request answers a sign-in challenge, which is what the lockouts guard. */
  signingIn: boolean;
  /** The account the code was for, when known. */
  userId: string | null;
}

function minutesFrom(ms: number): number {
  return Math.max(1, Math.ceil(ms / 60_000));
}

/**
 * Gatehouse's part of `/two-factor/verify-totp` and `/two-factor/verify-backup-code`, on top of the
 * plugin's own per-account lockout: a per-network lockout (five wrong codes from one client IP in 15
 * minutes, whatever the accounts, lock that IP out of sign-in challenges for 15 minutes), hashed
 * backup codes, and audit rows for locks and used backup codes.
 *
 * The IP is the one better-auth's limiter uses (`getIP` with the instance's `advanced.ipAddress`
 * options). A request whose IP cannot be resolved is left to the per-account lockout: pooling all of
 * them would let one person lock everyone else out.
 */
export function createSecondFactorHooks({ db, maxFailedAttempts, lockoutSeconds }: { db: Database } & LockoutPolicy) {
  const windowMs = lockoutSeconds * 1000;
  let lastSweepAt = 0;

  function clientIp(ctx: GenericEndpointContext): string | null {
    const source = ctx.request ?? ctx.headers;
    return source ? getIP(source, ctx.context.options) : null;
  }

  /**
   * When the IP's current lock ends, if it has one. A lock begins with the wrong code that makes
   * `maxFailedAttempts` within the window, and no failure is recorded while it lasts, so the newest
   * failures say whether one is running.
   */
  async function ipLockedUntil(ip: string, now: number): Promise<number | null> {
    const recent = await db
      .select({ failedAt: mfaFailure.failedAt })
      .from(mfaFailure)
      .where(eq(mfaFailure.ip, ip))
      .orderBy(desc(mfaFailure.failedAt))
      .limit(maxFailedAttempts);
    const newest = recent[0]?.failedAt.getTime();
    const oldest = recent[maxFailedAttempts - 1]?.failedAt.getTime();
    if (newest === undefined || oldest === undefined || newest - oldest >= windowMs) return null;
    const until = newest + windowMs;
    return until > now ? until : null;
  }

  /** Failures older than two windows can no longer start or extend a lock. */
  async function sweep(now: number) {
    if (now - lastSweepAt < SWEEP_INTERVAL_MS) return;
    lastSweepAt = now;
    await db.delete(mfaFailure).where(lt(mfaFailure.failedAt, new Date(now - 2 * windowMs)));
  }

  async function accountLockedUntil(userId: string): Promise<number | null> {
    const [row] = await db.select({ lockedUntil: twoFactor.lockedUntil }).from(twoFactor).where(eq(twoFactor.userId, userId)).limit(1);
    return row?.lockedUntil?.getTime() ?? null;
  }

  async function remainingBackupCodes(userId: string): Promise<number | null> {
    const [row] = await db.select({ backupCodes: twoFactor.backupCodes }).from(twoFactor).where(eq(twoFactor.userId, userId)).limit(1);
    if (!row?.backupCodes.startsWith("[")) return null;
    const codes: unknown = JSON.parse(row.backupCodes);
    return Array.isArray(codes) ? codes.length : null;
  }

  async function recordWrongCode(ctx: GenericEndpointContext, attempt: SecondFactorAttempt, now: number) {
    const ip = clientIp(ctx);
    if (ip) {
      await db.insert(mfaFailure).values({ ip, userId: attempt.userId, failedAt: new Date(now) });
      await sweep(now);
      // The before hook let this request through, so a lock now is the one this failure began.
      if (await ipLockedUntil(ip, now)) {
        await recordAuthEvent(db, { action: "auth.mfa_locked", userId: attempt.userId, headers: ctx.headers, details: { scope: "ip" } });
      }
    }
    if (!attempt.userId) return;
    // A wrong-code answer means the plugin found the account unlocked before this attempt; locked
    // after it, this was the failure that locked it. Later attempts answer ACCOUNT_TEMPORARILY_LOCKED.
    const lockedUntil = await accountLockedUntil(attempt.userId);
    if (lockedUntil !== null && lockedUntil > now) {
      await recordAuthEvent(db, { action: "auth.mfa_locked", userId: attempt.userId, headers: ctx.headers, details: { scope: "user" } });
    }
  }

  return {
    async before(ctx: GenericEndpointContext, { signingIn }: Pick<SecondFactorAttempt, "signingIn">) {
      const ip = signingIn ? clientIp(ctx) : null;
      const lockedUntil = ip ? await ipLockedUntil(ip, Date.now()) : null;
      if (lockedUntil !== null) {
        const waitMs = lockedUntil - Date.now();
        const minutes = minutesFrom(waitMs);
        throw new APIError(
          "TOO_MANY_REQUESTS",
          {
            message: `Too many wrong codes from this network. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
            code: "MFA_NETWORK_LOCKED",
          },
          { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) },
        );
      }
      const body = ctx.body as Record<string, unknown> | undefined;
      if (ctx.path === VERIFY_BACKUP_CODE_PATH && typeof body?.code === "string") {
        return { context: { body: { ...body, code: backupCodeDigest(body.code) } } };
      }
      return undefined;
    },

    async after(ctx: GenericEndpointContext & { context: { returned?: unknown } }, attempt: SecondFactorAttempt) {
      const returned = ctx.context.returned;
      const now = Date.now();
      if (isAPIError(returned)) {
        const code = String(returned.body?.code ?? "");
        if (attempt.signingIn && WRONG_CODE.has(code)) await recordWrongCode(ctx, attempt, now);
        if (code === TWO_FACTOR_ERROR_CODES.ACCOUNT_TEMPORARILY_LOCKED.code && attempt.userId) {
          const lockedUntil = await accountLockedUntil(attempt.userId);
          if (lockedUntil !== null && lockedUntil > now) ctx.setHeader("Retry-After", String(Math.ceil((lockedUntil - now) / 1000)));
        }
        return;
      }
      if (ctx.path === VERIFY_BACKUP_CODE_PATH && attempt.userId) {
        await recordAuthEvent(db, {
          action: "auth.backup_code_used",
          userId: attempt.userId,
          headers: ctx.headers,
          details: { remaining: await remainingBackupCodes(attempt.userId) },
        });
      }
    },
  };
}
