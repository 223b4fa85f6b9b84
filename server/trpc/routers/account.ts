import { TRPCError } from "@trpc/server";
import { and, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { session, user } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import { withAuthWrites } from "@/server/auth/auth-writes";
import { findClient } from "@/server/oauth/clients";
import { auditDomainOf } from "@/server/users/authority";
import { listGrants, listSessions, revokeGrants, revocationDetails } from "@/server/oauth/grants";
import { router } from "../init";
import { protectedProcedure } from "../procedures";

/** Everyone's own scope: a personal list is every row of one user, so no grant is needed. */
const OWN = { all: true } as const;

/** More than anyone keeps open; the account page shows them all without paging. */
const PERSONAL_LIMIT = 100;

export const accountRouter = router({
  twoFactor: protectedProcedure
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

  sessions: protectedProcedure
    .meta({ description: "The signed-in user's own browser sessions, with device, IP address and last-seen time." })
    .query(async ({ ctx }) => {
      const { items } = await listSessions(ctx.db, OWN, { userId: ctx.user.id, limit: PERSONAL_LIMIT }, ctx.session.id);
      return items;
    }),

  revokeSession: protectedProcedure
    .meta({ description: "Signs one of the user's own browser sessions out at once." })
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
    .meta({ description: "Signs the user out everywhere except this browser." })
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
});
