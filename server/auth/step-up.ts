import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import type { AttemptPolicy } from "./attempt-limit";
import { session, sessionReauthentication } from "@/db/schema";

/** Destructive administration needs the caller to have proved who they are this recently. */
export const STEP_UP_MAX_AGE_MS = 10 * 60 * 1000;

export const REAUTH_REQUIRED = "REAUTH_REQUIRED";

/**
 * The plugin's lockout guards sign-in only; a signed-in session confirming itself again is limited
 * by this, so a stolen session cannot guess the password or a code. The attempt is counted before the
 * secret is checked, so a burst of parallel guesses gets no more checks than one guess after another.
 */
export const STEP_UP_ATTEMPTS: AttemptPolicy = { maxAttempts: 5, windowMs: 15 * 60 * 1000, lockoutMs: 15 * 60 * 1000 };

export function stepUpAttemptKey(userId: string): string {
  return `step-up:${userId}`;
}

export type ReauthenticationMethod = "password" | "totp" | "backup_code";

/** How a session last proved its user: a step-up, or a sign-in that went through a second factor. */
export type ProofMethod = ReauthenticationMethod | "passkey";

/**
 * Thrown as the cause of a FORBIDDEN so that the error formatter can mark it `REAUTH_REQUIRED`:
 * the console then asks for the password or a code and retries.
 */
export class ReauthenticationRequired extends Error {
  readonly reason = REAUTH_REQUIRED;
}

/** Caller session ids of MCP calls: the token's id behind this prefix, never a real session's. */
export const TOKEN_SESSION_PREFIX = "token:";

/** When the browser session last proved its user: its sign-in, or a later step-up. */
export async function lastAuthenticatedAt(db: Executor, sessionId: string): Promise<Date | null> {
  const [row] = await db
    .select({
      at: sql<number>`max(${session.createdAt}, coalesce(${sessionReauthentication.authenticatedAt}, 0))`,
    })
    .from(session)
    .leftJoin(sessionReauthentication, eq(sessionReauthentication.sessionId, session.id))
    .where(eq(session.id, sessionId))
    .limit(1);
  return row ? new Date(Number(row.at)) : null;
}

/**
 * Refuses with REAUTH_REQUIRED unless the sign-in behind the call is at most ten minutes old. An
 * MCP call is judged by the session its token was authorized in, so a client authorized right
 * after signing in can do what that session could.
 */
export async function requireRecentAuthentication(
  db: Executor,
  caller: { id: string; signInSessionId: string | null },
  action: string,
  now = new Date(),
): Promise<void> {
  const at = caller.signInSessionId ? await lastAuthenticatedAt(db, caller.signInSessionId) : null;
  if (at && now.getTime() - at.getTime() <= STEP_UP_MAX_AGE_MS) return;
  const viaToken = caller.id.startsWith(TOKEN_SESSION_PREFIX);
  throw new TRPCError({
    code: "FORBIDDEN",
    message: viaToken
      ? `To ${action}, authorize this client again: the sign-in behind its token is more than 10 minutes old.`
      : `To ${action}, confirm it is you: enter your password or an authentication code.`,
    cause: new ReauthenticationRequired(action),
  });
}

/**
 * Marks the session as just re-authenticated. Anything but the password also proves a second factor;
 * a password step-up leaves the last second-factor proof as it was.
 */
export async function recordReauthentication(db: Executor, sessionId: string, method: ProofMethod, at = new Date()): Promise<void> {
  const secondFactor = method === "password" ? {} : { secondFactorAt: at };
  await db
    .insert(sessionReauthentication)
    .values({ sessionId, authenticatedAt: at, method, ...secondFactor })
    .onConflictDoUpdate({ target: sessionReauthentication.sessionId, set: { authenticatedAt: at, method, ...secondFactor } });
}

/** Whether the session proved its user, and a second factor, within the last ten minutes. */
export async function recentProofs(db: Executor, sessionId: string, now = new Date()): Promise<{ authenticated: boolean; secondFactor: boolean }> {
  const [row] = await db
    .select({ signedInAt: session.createdAt, reauthenticatedAt: sessionReauthentication.authenticatedAt, secondFactorAt: sessionReauthentication.secondFactorAt })
    .from(session)
    .leftJoin(sessionReauthentication, eq(sessionReauthentication.sessionId, session.id))
    .where(eq(session.id, sessionId))
    .limit(1);
  const recent = (at: Date | null | undefined) => at !== null && at !== undefined && now.getTime() - at.getTime() <= STEP_UP_MAX_AGE_MS;
  return {
    authenticated: recent(row?.signedInAt) || recent(row?.reauthenticatedAt),
    secondFactor: recent(row?.secondFactorAt),
  };
}
