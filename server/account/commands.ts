import { TRPCError } from "@trpc/server";
import { and, eq, ne } from "drizzle-orm";
import type { z } from "zod";
import { session, user } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import { claimAttempt, clearAttempts, recordFailedAttempt, releaseAttempt } from "@/server/auth/attempt-limit";
import { withAuthWrites } from "@/server/auth/auth-writes";
import { recordReauthentication, STEP_UP_ATTEMPTS, stepUpAttemptKey, TOKEN_SESSION_PREFIX } from "@/server/auth/step-up";
import { anyRevoked, revocationDetails, revokeGrants } from "@/server/grants/revocation";
import { findClientDomain } from "@/server/grants/queries";
import { SESSION_NOT_FOUND } from "@/server/sessions/commands";
import type { Context } from "@/server/trpc/context";
import { auditDomainOf, recordUserEvent } from "@/server/users/visibility";
import { isAPIError } from "better-auth/api";
import type { reauthenticateInput, revokeAppInput, revokeOwnSessionInput } from "./inputs";

/** A signed-in person acting on their own account. */
type PersonalContext = Pick<Context, "db" | "actor" | "auth" | "headers"> & {
  user: NonNullable<Context["user"]>;
  session: NonNullable<Context["session"]>;
};

export async function revokeOwnSession(ctx: PersonalContext, input: z.output<typeof revokeOwnSessionInput>) {
  const [row] = await ctx.db
    .select()
    .from(session)
    .where(and(eq(session.id, input.sessionId), eq(session.userId, ctx.user.id)))
    .limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: SESSION_NOT_FOUND });
  return ctx.db.transaction(async (tx) => {
    await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteSession(row.token));
    await recordUserEvent(tx, ctx.actor, "session.revoked", ctx.user.id, { sessionId: row.id, own: true });
    return { sessionId: row.id };
  });
}

export function revokeOtherSessions(ctx: PersonalContext) {
  return ctx.db.transaction(async (tx) => {
    const others = await tx
      .select({ id: session.id, token: session.token })
      .from(session)
      .where(and(eq(session.userId, ctx.user.id), ne(session.id, ctx.session.id)));
    if (others.length === 0) return { sessions: 0 };
    await withAuthWrites(ctx.auth, tx, async (internal) => {
      for (const other of others) await internal.deleteSession(other.token);
    });
    await recordUserEvent(tx, ctx.actor, "session.revoked_others", ctx.user.id, { sessions: others.length });
    return { sessions: others.length };
  });
}

/** Disconnects one application from the person's account: their grant to it ends. */
export function revokeApp(ctx: PersonalContext, input: z.output<typeof revokeAppInput>) {
  return ctx.db.transaction(async (tx) => {
    const revoked = await revokeGrants(tx, { userId: ctx.user.id, clientId: input.clientId }, "revoked_by_user");
    if (!anyRevoked(revoked)) {
      throw new TRPCError({ code: "NOT_FOUND", message: "That application is not connected to your account." });
    }
    const client = await findClientDomain(tx, input.clientId);
    await recordEvent(tx, ctx.actor, {
      action: "grant.revoked",
      targetType: "user",
      targetId: ctx.user.id,
      domainId: client?.domainId ?? (await auditDomainOf(tx, ctx.user.id)),
      details: { clientId: input.clientId, ...revocationDetails(revoked), own: true },
    });
    return revoked;
  });
}

/** Confirms it is the person again, so that actions needing a recent sign-in work for ten minutes. */
export async function reauthenticate(ctx: PersonalContext, input: z.output<typeof reauthenticateInput>) {
  if (ctx.session.id.startsWith(TOKEN_SESSION_PREFIX)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Confirming it is you works only in the console, not through an access token." });
  }
  if (input.method === "totp") {
    // With no authenticator app switched on, the plugin would take this code as enrolment's confirmation.
    const [row] = await ctx.db.select({ enabled: user.twoFactorEnabled }).from(user).where(eq(user.id, ctx.user.id)).limit(1);
    if (!row?.enabled) throw new TRPCError({ code: "BAD_REQUEST", message: "You have no authenticator app set up. Use your password." });
  }
  const attemptKey = stepUpAttemptKey(ctx.user.id);
  const claim = await claimAttempt(ctx.db, attemptKey, STEP_UP_ATTEMPTS);
  if (!claim.allowed) {
    const minutes = Math.max(1, Math.ceil(claim.retryAfterMs / 60_000));
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `Too many wrong attempts to confirm it is you. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    });
  }
  const request = { headers: ctx.headers };
  try {
    if (input.method === "password") {
      await ctx.auth.api.verifyPassword({ ...request, body: { password: input.password } });
    } else if (input.method === "totp") {
      await ctx.auth.api.verifyTOTP({ ...request, body: { code: input.code } });
    } else {
      await ctx.auth.api.verifyBackupCode({ ...request, body: { code: input.code } });
    }
  } catch (error) {
    if (!isAPIError(error)) {
      await releaseAttempt(ctx.db, attemptKey);
      throw error;
    }
    // A second factor that is locked was not checked, so this attempt is given back.
    const locked = error.status === "TOO_MANY_REQUESTS" || error.body?.code === "ACCOUNT_TEMPORARILY_LOCKED";
    if (locked) await releaseAttempt(ctx.db, attemptKey);
    else await recordFailedAttempt(ctx.db, attemptKey, STEP_UP_ATTEMPTS);
    await recordEvent(ctx.db, ctx.actor, {
      action: "auth.step_up_failed",
      targetType: "user",
      targetId: ctx.user.id,
      details: { method: input.method },
    });
    throw new TRPCError({
      code: locked ? "TOO_MANY_REQUESTS" : "BAD_REQUEST",
      message: locked
        ? (error.body?.message ?? "Too many wrong attempts. Try again later.")
        : input.method === "password"
          ? "That password is not right."
          : "That code is not right.",
    });
  }
  await clearAttempts(ctx.db, attemptKey);
  const authenticatedAt = new Date();
  await ctx.db.transaction(async (tx) => {
    await recordReauthentication(tx, ctx.session.id, input.method, authenticatedAt);
    await recordEvent(tx, ctx.actor, {
      action: "auth.step_up",
      targetType: "user",
      targetId: ctx.user.id,
      details: { method: input.method },
    });
  });
  return { authenticatedAt };
}
