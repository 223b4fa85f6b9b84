import { TRPCError } from "@trpc/server";
import { decodeJwt } from "jose";
import type { z } from "zod";
import { recordEvent } from "@/server/audit/record";
import { revokeClientTokens } from "@/server/oauth/clients";
import { revokeIssuedAccessTokens } from "@/server/oauth/issued-tokens";
import type { Context } from "@/server/trpc/context";
import { auditDomainOf } from "@/server/users/visibility";
import type { grantInput, revokeTokenInput } from "./inputs";
import { findClientDomain } from "./queries";
import { GRANT_NOT_FOUND } from "./reach";
import { anyRevoked, revocationDetails, revokeGrants, type RevocationCounts } from "./revocation";

type CommandContext = Pick<Context, "db" | "actor">;

export const TOKEN_NOT_FOUND = "Token not found.";

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
