import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import { clientRegistration, oauthClient, oauthRefreshToken } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import { storedStringArray } from "@/server/oauth/stored";

/** Whether an authorization request from the client for `scopes` would pass the provider's client check. */
async function clientMayAsk(db: Database, clientId: string, scopes: readonly string[]): Promise<boolean> {
  const [client] = await db
    .select({ scopes: oauthClient.scopes, origin: clientRegistration.origin })
    .from(oauthClient)
    .leftJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
    .where(eq(oauthClient.clientId, clientId))
    .limit(1);
  if (!client) return false;
  // A client that registered itself may ask for any MCP tier (plugins/requested-scopes.ts).
  if (client.origin === "dynamic" || client.origin === "metadata_document") return true;
  const stored = storedStringArray(client.scopes);
  return scopes.every((scope) => stored.includes(scope));
}

/**
 * A client answers 403 `insufficient_scope` by calling the SDK's `auth()`, which tries its refresh
 * token before sending anyone to the authorization endpoint; a refresh gives back the grant's own
 * scopes only (RFC 6749 §6), so the retried call fails the same way and the SDK gives up ("403 after
 * trying upscoping"). When a new authorization could grant what the call needs (the client may ask for
 * it; the caller has checked the person's roles use it), the grant's refresh tokens end here: the
 * client's refresh answers `invalid_grant`, and it re-authorizes for the scopes the challenge names.
 * Its access tokens keep working until they expire or a new authorization replaces them.
 *
 * Returns how many refresh tokens ended.
 */
export async function endRefreshForStepUp(
  db: Database,
  grant: { userId: string; clientId: string; needed: readonly string[] },
  actor: AuditActor,
  now = new Date(),
): Promise<number> {
  if (!(await clientMayAsk(db, grant.clientId, grant.needed))) return 0;
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(oauthRefreshToken)
      .set({ revoked: now })
      .where(
        and(eq(oauthRefreshToken.userId, grant.userId), eq(oauthRefreshToken.clientId, grant.clientId), isNull(oauthRefreshToken.revoked)),
      )
      .returning({ id: oauthRefreshToken.id });
    if (ended.length > 0) {
      await recordEvent(tx, actor, {
        action: "oauth.step_up_requested",
        targetType: "user",
        targetId: grant.userId,
        details: { clientId: grant.clientId, scope: grant.needed.join(" "), refreshTokensRevoked: ended.length },
      });
    }
    return ended.length;
  });
}
