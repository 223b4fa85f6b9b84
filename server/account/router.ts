import { TRPCError } from "@trpc/server";
import { and, asc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { passkey, passkeyUse, session, user } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import { claimAttempt, clearAttempts, recordFailedAttempt, releaseAttempt } from "@/server/auth/attempt-limit";
import { withAuthWrites } from "@/server/auth/auth-writes";
import { findClient } from "@/server/oauth/clients";
import { auditDomainOf } from "@/server/users/visibility";
import { listGrants, listSessions, revokeGrants, revocationDetails } from "@/server/oauth/grants";
import { isAPIError } from "better-auth/api";
import {
  recordReauthentication,
  STEP_UP_ATTEMPTS,
  stepUpAttemptKey,
  TOKEN_SESSION_PREFIX,
  type ReauthenticationMethod,
} from "@/server/auth/step-up";
import { PASSWORD_MAX_LENGTH } from "@/server/validation/password";
import { router } from "@/server/trpc/init";
import { enrolmentProcedure, protectedProcedure } from "@/server/trpc/procedures";

const reauthenticateInput = z.discriminatedUnion(
  "method",
  [
    z.object({ method: z.literal("password"), password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX_LENGTH) }),
    z.object({ method: z.literal("totp"), code: z.string().trim().regex(/^\d{6}$/, "An authenticator code is six digits.") }),
    z.object({ method: z.literal("backup_code"), code: z.string().trim().min(1, "Enter a backup code.").max(64) }),
  ] satisfies [z.ZodType<{ method: ReauthenticationMethod }>, ...z.ZodType<{ method: ReauthenticationMethod }>[]],
  { error: 'The method is "password", "totp" or "backup_code".' },
);

/** Everyone's own scope: a personal list is every row of one user, so no grant is needed. */
const OWN = { all: true } as const;

/** More than anyone keeps open; the account page shows them all without paging. */
const PERSONAL_LIMIT = 100;

export const accountRouter = router({
  twoFactor: enrolmentProcedure
    .meta({ description: "Whether the signed-in user's authenticator app is switched on, and how many unused backup codes remain." })
    .query(async ({ ctx }) => {
      const [row] = await ctx.db
        .select({ enabled: user.twoFactorEnabled })
        .from(user)
        .where(eq(user.id, ctx.user.id))
        .limit(1);
      const enabled = row?.enabled === true;
      if (!enabled) return { enabled, backupCodesRemaining: 0 };
      // The codes are stored encrypted; only the plugin's server-side call can count them.
      const codes = await ctx.auth.api.viewBackupCodes({ body: { userId: ctx.user.id } });
      return { enabled, backupCodesRemaining: codes.backupCodes.length };
    }),

  // Open before enrolment: a passkey is one of the second factors a user who must enrol can add.
  passkeys: enrolmentProcedure
    .meta({ description: "The signed-in user's own passkeys: name, when each was added and when it last signed them in." })
    .query(({ ctx }) =>
      ctx.db
        .select({
          id: passkey.id,
          name: passkey.name,
          createdAt: passkey.createdAt,
          lastUsedAt: passkeyUse.lastUsedAt,
        })
        .from(passkey)
        .leftJoin(passkeyUse, eq(passkeyUse.passkeyId, passkey.id))
        .where(eq(passkey.userId, ctx.user.id))
        .orderBy(asc(passkey.createdAt), asc(passkey.id))
        .limit(PERSONAL_LIMIT),
    ),

  sessions: protectedProcedure
    .meta({ description: "The signed-in user's own browser sessions, with device, IP address and last-seen time." })
    .query(async ({ ctx }) => {
      const { items } = await listSessions(ctx.db, OWN, { userId: ctx.user.id, limit: PERSONAL_LIMIT }, ctx.session.id);
      return items;
    }),

  revokeSession: protectedProcedure
    .meta({ description: "Signs one of the user's own browser sessions out at once.", stepUp: false })
    .input(z.object({ sessionId: z.string().min(1).max(200).describe("The session to end.") }))
    .mutation(async ({ ctx, input }) => {
      const [row] = await ctx.db
        .select()
        .from(session)
        .where(and(eq(session.id, input.sessionId), eq(session.userId, ctx.user.id)))
        .limit(1);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Session not found." });
      return ctx.db.transaction(async (tx) => {
        await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteSession(row.token));
        await recordEvent(tx, ctx.actor, {
          action: "session.revoked",
          targetType: "user",
          targetId: ctx.user.id,
          domainId: await auditDomainOf(tx, ctx.user.id),
          details: { sessionId: row.id, own: true },
        });
        return { sessionId: row.id };
      });
    }),

  revokeOtherSessions: protectedProcedure
    .meta({ description: "Signs the user out everywhere except this browser.", stepUp: false })
    .mutation(({ ctx }) =>
      ctx.db.transaction(async (tx) => {
        const others = await tx
          .select({ id: session.id, token: session.token })
          .from(session)
          .where(and(eq(session.userId, ctx.user.id), ne(session.id, ctx.session.id)));
        if (others.length === 0) return { sessions: 0 };
        await withAuthWrites(ctx.auth, tx, async (internal) => {
          for (const other of others) await internal.deleteSession(other.token);
        });
        await recordEvent(tx, ctx.actor, {
          action: "session.revoked_others",
          targetType: "user",
          targetId: ctx.user.id,
          domainId: await auditDomainOf(tx, ctx.user.id),
          details: { sessions: others.length },
        });
        return { sessions: others.length };
      }),
    ),

  connectedApps: protectedProcedure
    .meta({ description: "The applications the user has let act for them, with the scopes granted and when each last got a token." })
    .query(async ({ ctx }) => {
      const { items } = await listGrants(ctx.db, OWN, { userId: ctx.user.id, limit: PERSONAL_LIMIT });
      return items.map((grant) => ({
        clientId: grant.clientId,
        clientName: grant.clientName,
        logoUri: grant.logoUri,
        scopes: grant.scopes,
        createdAt: grant.createdAt,
        lastUsedAt: grant.lastUsedAt,
        liveAccessTokens: grant.liveAccessTokens,
      }));
    }),

  revokeApp: protectedProcedure
    .meta({
      description: "Disconnects an application: forgets the consent and revokes its tokens for this user at once.",
      stepUp: false,
    })
    .input(z.object({ clientId: z.string().min(1).max(200).describe("The application's client id.") }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const revoked = await revokeGrants(tx, { userId: ctx.user.id, clientId: input.clientId }, "revoked_by_user");
        if (revoked.accessTokens + revoked.refreshTokens + revoked.consents === 0) {
          throw new TRPCError({ code: "NOT_FOUND", message: "That application is not connected to your account." });
        }
        const client = await findClient(tx, input.clientId).catch(() => null);
        await recordEvent(tx, ctx.actor, {
          action: "grant.revoked",
          targetType: "user",
          targetId: ctx.user.id,
          domainId: client?.domainId ?? (await auditDomainOf(tx, ctx.user.id)),
          details: { clientId: input.clientId, ...revocationDetails(revoked), own: true },
        });
        return revoked;
      }),
    ),
  mfaRequirement: enrolmentProcedure
    .meta({
      description:
        "Whether a role or domain of the signed-in user requires a second factor (and which), and which factors they have.",
    })
    .query(({ ctx }) => ctx.mfaRequirement(ctx.user.id)),

  // Open before enrolment: a user who must enrol a second factor may need a recent sign-in to add one.
  reauthenticate: enrolmentProcedure
    .meta({
      description:
        "Confirms the signed-in user again with their password, an authenticator code or a backup code, so that actions needing a recent sign-in work for the next 10 minutes.",
      stepUp: false,
    })
    .input(reauthenticateInput)
    .mutation(async ({ ctx, input }) => {
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
    }),
});
