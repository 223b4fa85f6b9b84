import { and, eq, gt, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { issuedAccessToken } from "@/db/schema";
import { enrolmentMissingCondition } from "@/server/users/mfa";

/** The claims of a Gatehouse access token that the ledger keeps. */
export interface IssuedClaims {
  jti: string;
  client_id: string;
  sub: string;
  scope: string;
  aud: string | string[];
  iat: number;
  exp: number;
  sid?: string;
}

export interface IssuedTokenInput {
  claims: IssuedClaims;
  /** NULL when the token acts for the client itself (client_credentials). */
  userId: string | null;
  grantType: string;
  authorizationCodeId: string | null;
}

export async function recordIssuedAccessToken(tx: Executor, input: IssuedTokenInput): Promise<void> {
  const { claims } = input;
  await tx.insert(issuedAccessToken).values({
    jti: claims.jti,
    clientId: claims.client_id,
    userId: input.userId,
    sessionId: claims.sid ?? null,
    authorizationCodeId: input.authorizationCodeId,
    grantType: input.grantType,
    scopes: claims.scope,
    audience: Array.isArray(claims.aud) ? claims.aud.join(" ") : claims.aud,
    issuedAt: new Date(claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
  });
}

export type AccessTokenStatus = "active" | "revoked" | "unknown" | "mfa_enrolment_required";

/**
 * The check every resource request pays, in one query: the token's ledger row (a primary-key lookup)
 * and whether its user must enrol a second factor first. A token with no row was not issued here (or
 * its client or user is gone), so it is refused like a revoked one. The enrolment check is made now,
 * not when the token was issued, so a policy that starts to apply reaches tokens already out there.
 */
export async function accessTokenStatus(db: Executor, jti: string): Promise<AccessTokenStatus> {
  const [row] = await db
    .select({
      revokedAt: issuedAccessToken.revokedAt,
      enrolmentMissing: sql<number>`${enrolmentMissingCondition(issuedAccessToken.userId)}`,
    })
    .from(issuedAccessToken)
    .where(eq(issuedAccessToken.jti, jti))
    .limit(1);
  if (!row) return "unknown";
  if (row.revokedAt) return "revoked";
  return row.enrolmentMissing === 1 ? "mfa_enrolment_required" : "active";
}

/** Which live tokens a revocation reaches. */
export type IssuedTokenSelector =
  | { jti: string }
  | { clientId: string }
  | { userId: string }
  | { userId: string; clientId: string }
  | { authorizationCodeId: string }
  | { sessionId: string };

function selectorCondition(selector: IssuedTokenSelector): SQL {
  if ("jti" in selector) return eq(issuedAccessToken.jti, selector.jti);
  if ("authorizationCodeId" in selector) return eq(issuedAccessToken.authorizationCodeId, selector.authorizationCodeId);
  if ("sessionId" in selector) return eq(issuedAccessToken.sessionId, selector.sessionId);
  if ("userId" in selector && "clientId" in selector) {
    return and(eq(issuedAccessToken.userId, selector.userId), eq(issuedAccessToken.clientId, selector.clientId))!;
  }
  if ("userId" in selector) return eq(issuedAccessToken.userId, selector.userId);
  return eq(issuedAccessToken.clientId, selector.clientId);
}

/** Marks the selected unexpired tokens revoked; returns how many were live. */
export async function revokeIssuedAccessTokens(
  tx: Executor,
  selector: IssuedTokenSelector,
  reason: string,
  now = new Date(),
): Promise<number> {
  const revoked = await tx
    .update(issuedAccessToken)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(selectorCondition(selector), isNull(issuedAccessToken.revokedAt), gt(issuedAccessToken.expiresAt, now)))
    .returning({ jti: issuedAccessToken.jti });
  return revoked.length;
}

/** Counts the selected tokens that would still be accepted. */
export async function countLiveAccessTokens(db: Executor, selector: IssuedTokenSelector, now = new Date()): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)` })
    .from(issuedAccessToken)
    .where(and(selectorCondition(selector), isNull(issuedAccessToken.revokedAt), gt(issuedAccessToken.expiresAt, now)));
  return row?.count ?? 0;
}

/** Rows of tokens that expired a day ago or more carry no information any check needs. */
const LEDGER_RETENTION_MS = 24 * 60 * 60 * 1000;
const PURGE_BATCH = 500;

export async function purgeExpiredAccessTokens(tx: Executor, now = new Date()): Promise<void> {
  const cutoff = new Date(now.getTime() - LEDGER_RETENTION_MS);
  const expired = tx
    .select({ jti: issuedAccessToken.jti })
    .from(issuedAccessToken)
    .where(lt(issuedAccessToken.expiresAt, cutoff))
    .limit(PURGE_BATCH);
  await tx.delete(issuedAccessToken).where(inArray(issuedAccessToken.jti, expired));
}
