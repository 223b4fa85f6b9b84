import type { BetterAuthPlugin } from "better-auth";
import { APIError, isAPIError } from "better-auth/api";
import type { Database } from "@/db/client";
import { recordEvent } from "@/server/audit/record";
import type { AccessTokenVerifier } from "@/server/oauth/access-token";
import { tokenEndpointPlugin } from "./token-endpoint";
import { revokeIssuedAccessTokens } from "@/server/oauth/issued-tokens";
import { refreshTokenRow } from "@/server/oauth/refresh-reuse";
import { field, formBody, namedClientId, oauthActor, unverifiedClaims } from "@/server/oauth/token-requests";

const PATH = "/oauth2/revoke";

const revokedAnswer = () => new Response(null, { status: 200, headers: { "cache-control": "no-store" } });

/**
 * RFC 7009 revocation over the issued-token ledger: the provider cannot revoke a JWT access token,
 * the ledger can, and RFC 7009 asks for 200 when a valid token is revoked. A JWT Gatehouse never
 * signed is answered as any unknown token, never with a 500.
 */
export function tokenRevocation({ db, verifier }: { db: Database; verifier: AccessTokenVerifier }): BetterAuthPlugin {
  return tokenEndpointPlugin({
    id: "gatehouse-token-revocation",
    path: PATH,
    verifier,
    after: async (ctx) => {
      const returned = ctx.context.returned;
      const body = formBody(ctx);
      const token = field(body, "token") ?? "";
      const clientId = namedClientId(ctx.headers, body) ?? null;
      if (isAPIError(returned) && returned.body?.error === "unsupported_token_type") {
        const claims = unverifiedClaims(token);
        if (claims.client_id !== clientId || typeof claims.jti !== "string") {
          throw new APIError("BAD_REQUEST", {
            error: "unauthorized_client",
            error_description: "The token was not issued to this client",
          });
        }
        const jti = claims.jti;
        await db.transaction(async (tx) => {
          await revokeIssuedAccessTokens(tx, { jti }, "revoked_by_client");
          await recordEvent(tx, oauthActor(ctx, clientId, claims.sub ?? null), {
            action: "oauth.token_revoked",
            targetType: "client",
            targetId: clientId,
            details: { tokenType: "access_token", jti },
          });
        });
        return revokedAnswer();
      }
      // RFC 7009 §2.2: a token that is unknown, malformed or already revoked is answered 200 as well,
      // once the client has authenticated (a failed client authentication is invalid_client and stays one).
      if (isAPIError(returned) && returned.statusCode === 400 && returned.body?.error === "invalid_request" && token) {
        return revokedAnswer();
      }
      if (isAPIError(returned)) return;
      // A refresh token revoked through RFC 7009 takes the access tokens of its grant with it (RFC 7009 §2.1).
      const row = await refreshTokenRow(db, token);
      if (!row?.revoked || row.clientId !== clientId) return;
      await db.transaction(async (tx) => {
        const selector = row.authorizationCodeId
          ? { authorizationCodeId: row.authorizationCodeId }
          : { userId: row.userId, clientId: row.clientId };
        const revoked = await revokeIssuedAccessTokens(tx, selector, "revoked_by_client");
        await recordEvent(tx, oauthActor(ctx, clientId, row.userId), {
          action: "oauth.token_revoked",
          targetType: "client",
          targetId: clientId,
          details: { tokenType: "refresh_token", accessTokensRevoked: revoked },
        });
      });
    },
  });
}
