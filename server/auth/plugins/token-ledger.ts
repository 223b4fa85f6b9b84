import type { BetterAuthPlugin } from "better-auth";
import { APIError, isAPIError } from "better-auth/api";
import { decodeJwt } from "jose";
import type { Database } from "@/db/client";
import { recordEvent } from "@/server/audit/record";
import { storedSecretHash } from "@/server/oauth/config";
import { purgeExpiredAccessTokens, recordIssuedAccessToken, revokeIssuedAccessTokens, type IssuedClaims } from "@/server/oauth/issued-tokens";
import { endReusedGrant, refreshTokenRow, reusedSinceRotation } from "@/server/oauth/refresh-reuse";
import { clientExists, field, formBody, namedClientId, oauthActor } from "@/server/oauth/token-requests";
import { authPlugin, hook } from "./define";

const PURGE_INTERVAL_MS = 60_000;

type TokenContext = { body?: unknown; headers?: Headers };

/**
 * The token endpoint's bookkeeping: every access token it issues goes into the ledger that makes JWT
 * revocation immediate (`issued-tokens.ts`), with an audit row in the same transaction; a replayed
 * code revokes what it issued, a rotated refresh token presented again ends the grant, and failures
 * about a known client are audited.
 */
export function tokenLedger({ db }: { db: Database }): BetterAuthPlugin {
  let lastPurgeAt = 0;

  async function issued(ctx: TokenContext, response: { access_token?: unknown }) {
    if (typeof response.access_token !== "string" || response.access_token.split(".").length !== 3) return;
    const claims = decodeJwt(response.access_token) as unknown as IssuedClaims;
    const body = formBody(ctx);
    const grantType = field(body, "grant_type") ?? "unknown";
    const userId = grantType === "client_credentials" ? null : claims.sub;
    let authorizationCodeId: string | null = null;
    if (grantType === "authorization_code") authorizationCodeId = storedSecretHash(field(body, "code") ?? "");
    await db.transaction(async (tx) => {
      const refreshing = grantType === "refresh_token";
      const rotated = refreshing ? await refreshTokenRow(tx, field(body, "refresh_token")) : undefined;
      if (rotated) authorizationCodeId = rotated.authorizationCodeId ?? null;
      await recordIssuedAccessToken(tx, { claims, userId, grantType, authorizationCodeId });
      // A racing request that presented the same refresh token may already have ended the grant (the
      // provider deletes the family, so the presented row is gone) before this token was in the
      // ledger for it to revoke: then this one is born revoked, with whatever the race rebuilt.
      if (refreshing && (!rotated || (await reusedSinceRotation(tx, rotated)))) {
        await endReusedGrant(tx, { userId: claims.sub, clientId: claims.client_id }, oauthActor(ctx, claims.client_id, null));
      }
      await recordEvent(tx, oauthActor(ctx, claims.client_id, userId), {
        action: "oauth.token_issued",
        targetType: userId ? "user" : "client",
        targetId: userId ?? claims.client_id,
        details: { grantType, scope: claims.scope, audience: claims.aud, jti: claims.jti },
      });
    });
    // Expired rows only cost space; sweeping them once a minute keeps the token endpoint to its own writes.
    if (Date.now() - lastPurgeAt > PURGE_INTERVAL_MS) {
      lastPurgeAt = Date.now();
      await db.transaction((tx) => purgeExpiredAccessTokens(tx));
    }
  }

  async function failed(ctx: TokenContext, error: APIError) {
    const body = formBody(ctx);
    const clientId = namedClientId(ctx.headers, body);
    const grantType = field(body, "grant_type");
    const code = field(body, "code");
    const oauthError = String(error.body?.error ?? error.status);
    await db.transaction(async (tx) => {
      if (grantType === "authorization_code" && code && oauthError === "invalid_grant") {
        // The plugin forgets a code once used; tokens already issued from it mean this is a replay.
        const revoked = await revokeIssuedAccessTokens(tx, { authorizationCodeId: storedSecretHash(code) }, "code_replay");
        if (revoked > 0) {
          await recordEvent(tx, oauthActor(ctx, clientId ?? null, null), {
            action: "oauth.code_replayed",
            targetType: "client",
            targetId: clientId ?? null,
            details: { accessTokensRevoked: revoked },
          });
        }
      }
      if (grantType === "refresh_token" && oauthError === "invalid_grant") {
        // Losing a rotation race to a request with the same token is reuse too, found only now.
        const row = await refreshTokenRow(tx, field(body, "refresh_token"));
        if (row?.rotatedAt && row.clientId === clientId && !(await reusedSinceRotation(tx, row))) {
          await endReusedGrant(tx, row, oauthActor(ctx, row.clientId, null));
        }
      }
      if (!(await clientExists(tx, clientId))) return;
      await recordEvent(tx, oauthActor(ctx, clientId!, null), {
        action: "oauth.token_failed",
        targetType: "client",
        targetId: clientId!,
        details: { grantType: grantType ?? null, error: oauthError, description: String(error.body?.error_description ?? "") },
      });
    });
  }

  return authPlugin({
    id: "gatehouse-token-ledger",
    after: [
      hook("/oauth2/token", async (ctx) => {
        const returned = ctx.context.returned;
        if (isAPIError(returned)) await failed(ctx, returned);
        else if (returned && typeof returned === "object") await issued(ctx, returned as { access_token?: unknown });
      }),
    ],
  });
}
