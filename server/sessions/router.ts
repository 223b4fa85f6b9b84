import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { issuedAccessToken, session } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import { withAuthWrites } from "@/server/auth/auth-writes";
import type { Authority } from "@/server/authz/authority";
import { authorizeIn } from "@/server/authz/guard";
import type { Permission } from "@/server/shared/permissions";
import { assertAccountWideAuthority } from "@/server/users/commands";
import { auditDomainOf } from "@/server/users/visibility";
import { findVisibleUser } from "@/server/users/visibility";
import { CLIENT_NOT_FOUND, findClient, revokeClientTokens } from "@/server/oauth/clients";
import {
  grantVisible,
  listGrants,
  listGrantsInput,
  listSessions,
  listSessionsInput,
  revocationDetails,
  revokeGrants,
  type RevocationCounts,
} from "@/server/oauth/grants";
import { revokeIssuedAccessTokens } from "@/server/oauth/issued-tokens";
import { router } from "@/server/trpc/init";
import { permissionProcedure } from "@/server/trpc/procedures";

const GRANT_NOT_FOUND = "Grant not found.";
const TOKEN_NOT_FOUND = "Token not found.";
const SESSION_NOT_FOUND = "Session not found.";

const idSchema = (what: string) => z.string(`Give a ${what}.`).min(1, `Give a ${what}.`).max(200);

const grantInput = z.object({
  userId: idSchema("user id").describe("The user who holds the grant."),
  clientId: idSchema("client id").describe("The client the grant was made to."),
});

const revokeTokenInput = z.union(
  [
    z.object({ jti: idSchema("token id (jti)").describe("The access token's jti claim.") }).strict(),
    z.object({ token: z.string().min(1, "Give the token.").max(8000).describe("The access token itself (a JWT).") }).strict(),
  ],
  "Give either jti or token.",
);

/** Where a client's tokens are managed: the client's owning domain (NULL = installation-wide). */
async function clientDomain(db: Executor, authority: Authority, clientId: string, permission: Permission): Promise<string | null> {
  const client = await findClient(db, clientId).catch(() => null);
  if (!client) throw new TRPCError({ code: "NOT_FOUND", message: CLIENT_NOT_FOUND });
  authorizeIn(authority, { permission, domainId: client.domainId, visibleWith: "tokens:read", notFound: CLIENT_NOT_FOUND });
  return client.domainId;
}

function anyRevoked(counts: RevocationCounts): boolean {
  return counts.accessTokens + counts.refreshTokens + counts.consents > 0;
}

export const revocationsRouter = router({
  listGrants: permissionProcedure("tokens:read")
    .meta({
      description:
        "Lists live OAuth grants (a user's remembered consent, refresh tokens and unexpired access tokens for one client), newest activity first, with scopes, created and last-used times; filter by user, client or owning domain.",
    })
    .input(listGrantsInput)
    .query(({ ctx, input }) => listGrants(ctx.db, ctx.authority.scopeOf("tokens:read"), input)),

  revokeGrant: permissionProcedure("tokens:delete")
    .meta({
      description:
        "Revokes one user's grant to one client: forgets the consent and revokes its refresh and access tokens at once; the client must send the user through consent again.",
      stepUp: false,
    })
    .input(grantInput)
    .mutation(async ({ ctx, input }) => {
      if (!(await grantVisible(ctx.db, ctx.authority.scopeOf("tokens:delete"), input.userId, input.clientId))) {
        const readable = await grantVisible(ctx.db, ctx.authority.scopeOf("tokens:read"), input.userId, input.clientId);
        throw readable
          ? new TRPCError({ code: "FORBIDDEN", message: "You need the tokens:delete permission for this grant." })
          : new TRPCError({ code: "NOT_FOUND", message: GRANT_NOT_FOUND });
      }
      return ctx.db.transaction(async (tx) => {
        const revoked = await revokeGrants(tx, input, "grant_revoked");
        // Nothing live between the two: there was no grant, and no event may claim one was revoked.
        if (!anyRevoked(revoked)) throw new TRPCError({ code: "NOT_FOUND", message: GRANT_NOT_FOUND });
        const client = await findClient(tx, input.clientId).catch(() => null);
        await recordEvent(tx, ctx.actor, {
          action: "grant.revoked",
          targetType: "user",
          targetId: input.userId,
          domainId: client?.domainId ?? (await auditDomainOf(tx, input.userId)),
          details: { clientId: input.clientId, ...revocationDetails(revoked) },
        });
        return revoked;
      });
    }),

  revokeToken: permissionProcedure("tokens:delete")
    .meta({ description: "Revokes one access token, by its jti or the token itself; it is refused at the next request.", stepUp: false })
    .input(revokeTokenInput)
    .mutation(async ({ ctx, input }) => {
      let jti: string;
      if ("jti" in input) jti = input.jti;
      else {
        try {
          const claims = decodeJwt(input.token);
          if (typeof claims.jti !== "string") throw new Error("no jti");
          jti = claims.jti;
        } catch {
          throw new TRPCError({ code: "BAD_REQUEST", message: "That is not a Gatehouse access token." });
        }
      }
      const [token] = await ctx.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, jti)).limit(1);
      if (!token) throw new TRPCError({ code: "NOT_FOUND", message: TOKEN_NOT_FOUND });
      const domainId = await clientDomain(ctx.db, ctx.authority, token.clientId, "tokens:delete").catch((error: unknown) => {
        if (error instanceof TRPCError && error.code === "NOT_FOUND") throw new TRPCError({ code: "NOT_FOUND", message: TOKEN_NOT_FOUND });
        throw error;
      });
      return ctx.db.transaction(async (tx) => {
        const accessTokens = await revokeIssuedAccessTokens(tx, { jti }, "token_revoked");
        if (accessTokens > 0) {
          await recordEvent(tx, ctx.actor, {
            action: "token.revoked",
            targetType: "client",
            targetId: token.clientId,
            domainId,
            details: { jti, userId: token.userId },
          });
        }
        return { accessTokens, refreshTokens: 0, consents: 0 };
      });
    }),

  revokeAllForUser: permissionProcedure("tokens:admin")
    .meta({
      description:
        "Revokes everything a user holds: every OAuth grant and token and every browser session, at once. Use it when an account may be compromised. Needs a recent sign-in.",
      stepUp: { action: "revoke all of a user's access", raises: ["destroys-in-bulk"] },
    })
    .input(z.object({ userId: idSchema("user id").describe("The user whose access ends.") }))
    .mutation(async ({ ctx, input }) => {
      const target = await findVisibleUser(ctx.db, ctx.authority, "tokens:read", input.userId);
      // Ending every session and grant acts on the whole account, as a ban does: the same authority rule applies.
      await assertAccountWideAuthority(ctx.db, ctx.authority, "tokens:admin", target);
      return ctx.db.transaction(async (tx) => {
        const revoked = await revokeGrants(tx, { userId: target.id }, "all_revoked_for_user");
        const sessions = await tx.select({ id: session.id }).from(session).where(eq(session.userId, target.id));
        await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteUserSessions(target.id));
        await recordEvent(tx, ctx.actor, {
          action: "user.access_revoked",
          targetType: "user",
          targetId: target.id,
          domainId: await auditDomainOf(tx, target.id),
          details: { email: target.email, ...revocationDetails(revoked), sessionsRevoked: sessions.length },
        });
        return { ...revoked, sessions: sessions.length };
      });
    }),

  revokeAllForClient: permissionProcedure("tokens:admin")
    .meta({
      description:
        "Revokes every grant and token of one client for all its users at once; the client itself stays registered. Needs a recent sign-in.",
      stepUp: { action: "revoke all of a client's grants", raises: ["destroys-in-bulk"] },
    })
    .input(z.object({ clientId: idSchema("client id").describe("The client whose grants end.") }))
    .mutation(async ({ ctx, input }) => {
      const domainId = await clientDomain(ctx.db, ctx.authority, input.clientId, "tokens:admin");
      return ctx.db.transaction(async (tx) => {
        const tokens = await revokeClientTokens(tx, input.clientId, "all_revoked_for_client");
        const { consents } = await revokeGrants(tx, { clientId: input.clientId }, "all_revoked_for_client");
        const revoked: RevocationCounts = { ...tokens, consents };
        if (anyRevoked(revoked)) {
          await recordEvent(tx, ctx.actor, {
            action: "client.access_revoked",
            targetType: "client",
            targetId: input.clientId,
            domainId,
            details: revocationDetails(revoked),
          });
        }
        return revoked;
      });
    }),

  listSessions: permissionProcedure("tokens:read")
    .meta({
      description: "Lists unexpired browser sessions, most recently seen first, with device, IP address and last-seen time; filter by user.",
    })
    .input(listSessionsInput)
    .query(({ ctx, input }) => listSessions(ctx.db, ctx.authority.scopeOf("tokens:read"), input, ctx.session.id)),

  revokeSession: permissionProcedure("tokens:delete")
    .meta({ description: "Signs one browser session out at once.", stepUp: false })
    .input(z.object({ sessionId: idSchema("session id").describe("The session to end.") }))
    .mutation(async ({ ctx, input }) => {
      const [row] = await ctx.db.select().from(session).where(eq(session.id, input.sessionId)).limit(1);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: SESSION_NOT_FOUND });
      const owner = await findVisibleUser(ctx.db, ctx.authority, "tokens:read", row.userId).catch(() => null);
      if (!owner) throw new TRPCError({ code: "NOT_FOUND", message: SESSION_NOT_FOUND });
      await assertAccountWideAuthority(ctx.db, ctx.authority, "tokens:delete", owner);
      return ctx.db.transaction(async (tx) => {
        await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteSession(row.token));
        await recordEvent(tx, ctx.actor, {
          action: "session.revoked",
          targetType: "user",
          targetId: row.userId,
          domainId: await auditDomainOf(tx, row.userId),
          details: { sessionId: row.id, email: owner.email },
        });
        return { sessionId: row.id };
      });
    }),
});
