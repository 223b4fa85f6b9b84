import { TRPCError } from "@trpc/server";
import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { decodeJwt } from "jose";
import type { z } from "zod";
import type { Executor } from "@/db/client";
import { oauthAccessToken, oauthConsent, oauthRefreshToken } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import { revokeClientTokens } from "@/server/oauth/clients";
import { revokeIssuedAccessTokens } from "@/server/oauth/issued-tokens";
import type { Context } from "@/server/trpc/context";
import { auditDomainOf } from "@/server/users/visibility";
import type { grantInput, revokeTokenInput } from "./inputs";
import { findClientDomain } from "./queries";
import { GRANT_NOT_FOUND } from "./reach";

type CommandContext = Pick<Context, "db" | "actor">;

export const TOKEN_NOT_FOUND = "Token not found.";

/** What a revocation ended. */
export interface RevocationCounts {
  accessTokens: number;
  refreshTokens: number;
  consents: number;
}

/**
 * Revocation counts as audit details. The audit writer drops keys that look like credentials
 * ("…Tokens"), so the counts are named for what they count.
 */
export function revocationDetails(counts: Partial<RevocationCounts>) {
  return {
    accessTokensRevoked: counts.accessTokens ?? 0,
    refreshTokensRevoked: counts.refreshTokens ?? 0,
    consentsRevoked: counts.consents ?? 0,
  };
}

export function anyRevoked(counts: RevocationCounts): boolean {
  return counts.accessTokens + counts.refreshTokens + counts.consents > 0;
}

type GrantSelector = { userId: string; clientId: string } | { userId: string } | { clientId: string };

function grantCondition(columns: { userId: SQLiteColumn; clientId: SQLiteColumn }, selector: GrantSelector): SQL {
  const parts: SQL[] = [];
  if ("userId" in selector) parts.push(eq(columns.userId, selector.userId));
  if ("clientId" in selector) parts.push(eq(columns.clientId, selector.clientId));
  return and(...parts)!;
}

/**
 * Ends grants: the remembered consent (so the user is asked again), the refresh tokens, the opaque
 * access tokens the plugin stores, and the JWT access tokens in the ledger, all in the caller's
 * transaction. Bans, domain deletions and blocked metadata-document hosts end grants through it too.
 */
export async function revokeGrants(tx: Executor, selector: GrantSelector, reason: string, now = new Date()): Promise<RevocationCounts> {
  const consents = await tx.delete(oauthConsent).where(grantCondition(oauthConsent, selector)).returning({ id: oauthConsent.id });
  const refresh = await tx
    .update(oauthRefreshToken)
    .set({ revoked: now })
    .where(and(grantCondition(oauthRefreshToken, selector), isNull(oauthRefreshToken.revoked)))
    .returning({ id: oauthRefreshToken.id });
  await tx.delete(oauthAccessToken).where(grantCondition(oauthAccessToken, selector));
  const accessTokens = await revokeIssuedAccessTokens(tx, selector, reason, now);
  return { accessTokens, refreshTokens: refresh.length, consents: consents.length };
}

/** One user's grant to one client, after the caller was found allowed (assertMayRevokeGrant). */
export function revokeGrant(ctx: CommandContext, input: z.output<typeof grantInput>): Promise<RevocationCounts> {
  return ctx.db.transaction(async (tx) => {
    const revoked = await revokeGrants(tx, input, "grant_revoked");
    // Nothing live between the check and now: there was no grant, and no event may claim one was revoked.
    if (!anyRevoked(revoked)) throw new TRPCError({ code: "NOT_FOUND", message: GRANT_NOT_FOUND });
    const client = await findClientDomain(tx, input.clientId);
    await recordEvent(tx, ctx.actor, {
      action: "grant.revoked",
      targetType: "user",
      targetId: input.userId,
      domainId: client?.domainId ?? (await auditDomainOf(tx, input.userId)),
      details: { clientId: input.clientId, ...revocationDetails(revoked) },
    });
    return revoked;
  });
}

/** The jti revokeToken acts on: given, or read from the token; a token without one is not ours. */
export function jtiOf(input: z.output<typeof revokeTokenInput>): string {
  if ("jti" in input) return input.jti;
  try {
    const claims = decodeJwt(input.token);
    if (typeof claims.jti === "string") return claims.jti;
  } catch {
    // Not a JWT at all: the same answer as a JWT without a jti.
  }
  throw new TRPCError({ code: "BAD_REQUEST", message: "That is not a Gatehouse access token." });
}

/** One access token; revoking one already revoked changes nothing and records nothing. */
export function revokeToken(
  ctx: CommandContext,
  token: { jti: string; clientId: string; userId: string | null; domainId: string | null },
): Promise<RevocationCounts> {
  return ctx.db.transaction(async (tx) => {
    const accessTokens = await revokeIssuedAccessTokens(tx, { jti: token.jti }, "token_revoked");
    if (accessTokens > 0) {
      await recordEvent(tx, ctx.actor, {
        action: "token.revoked",
        targetType: "client",
        targetId: token.clientId,
        domainId: token.domainId,
        details: { jti: token.jti, userId: token.userId },
      });
    }
    return { accessTokens, refreshTokens: 0, consents: 0 };
  });
}

/** Every grant and token of one client, for all its users; the client stays registered. */
export function revokeAllForClient(ctx: CommandContext, client: { clientId: string; domainId: string | null }): Promise<RevocationCounts> {
  return ctx.db.transaction(async (tx) => {
    const tokens = await revokeClientTokens(tx, client.clientId, "all_revoked_for_client");
    const { consents } = await revokeGrants(tx, { clientId: client.clientId }, "all_revoked_for_client");
    const revoked: RevocationCounts = { ...tokens, consents };
    if (anyRevoked(revoked)) {
      await recordEvent(tx, ctx.actor, {
        action: "client.access_revoked",
        targetType: "client",
        targetId: client.clientId,
        domainId: client.domainId,
        details: revocationDetails(revoked),
      });
    }
    return revoked;
  });
}
