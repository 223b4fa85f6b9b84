import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Executor } from "@/db/client";
import { oauthAccessToken, oauthConsent, oauthRefreshToken } from "@/db/schema";
import { revokeIssuedAccessTokens } from "@/server/oauth/issued-tokens";

/*
 * Ending grants at the database, with no notion of who asks: the grants commands, bans, domain
 * deletions, password resets and blocked metadata-document hosts all end grants through it, so it
 * imports nothing of tRPC or better-auth.
 */

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
