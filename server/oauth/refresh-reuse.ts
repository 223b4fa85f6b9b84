import { and, eq, gte, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditEvent, oauthRefreshToken } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import { storedSecretHash } from "./config";
import { revokeIssuedAccessTokens } from "./issued-tokens";

export async function refreshTokenRow(db: Executor, presented: string | undefined) {
  if (!presented) return undefined;
  const [row] = await db
    .select()
    .from(oauthRefreshToken)
    .where(eq(oauthRefreshToken.token, storedSecretHash(presented)))
    .limit(1);
  return row;
}

/**
 * A rotated refresh token presented again means two parties hold the grant: end it for both. The
 * provider deletes the family only when the reuse is seen before rotation starts; a request that
 * lost a rotation race fails later, so the refresh tokens are marked revoked here as well, and the
 * audit row is the mark a concurrent winner looks for (see `reusedSinceRotation`).
 */
export async function endReusedGrant(tx: Executor, row: { userId: string; clientId: string }, actor: AuditActor, now = new Date()): Promise<void> {
  const revoked = await revokeIssuedAccessTokens(tx, { userId: row.userId, clientId: row.clientId }, "refresh_token_reuse", now);
  await tx
    .update(oauthRefreshToken)
    .set({ revoked: now })
    .where(and(eq(oauthRefreshToken.userId, row.userId), eq(oauthRefreshToken.clientId, row.clientId), isNull(oauthRefreshToken.revoked)));
  await recordEvent(tx, actor, {
    action: "oauth.refresh_token_reused",
    targetType: "user",
    targetId: row.userId,
    details: { clientId: row.clientId, accessTokensRevoked: revoked },
  });
}

/** Whether a reuse of the grant was recorded after `row` was rotated, by a request racing this one. */
export async function reusedSinceRotation(tx: Executor, row: { userId: string; clientId: string; rotatedAt: Date | null }): Promise<boolean> {
  if (!row.rotatedAt) return false;
  const [event] = await tx
    .select({ id: auditEvent.id })
    .from(auditEvent)
    .where(
      and(
        eq(auditEvent.action, "oauth.refresh_token_reused"),
        eq(auditEvent.targetId, row.userId),
        eq(auditEvent.clientId, row.clientId),
        gte(auditEvent.at, row.rotatedAt),
      ),
    )
    .limit(1);
  return Boolean(event);
}
