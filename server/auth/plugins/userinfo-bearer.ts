import type { BetterAuthPlugin } from "better-auth";
import { APIError } from "better-auth/api";
import { REJECTION_DESCRIPTIONS, type AccessTokenVerifier } from "@/server/oauth/access-token";
import { formBody, queryOf } from "@/server/oauth/token-requests";
import { authPlugin, hook } from "./define";

function invalidBearer(description: string): APIError {
  return new APIError(
    "UNAUTHORIZED",
    { error: "invalid_token", error_description: description },
    { "WWW-Authenticate": `Bearer error="invalid_token", error_description="${description}"` },
  );
}

/**
 * OIDC userinfo takes the access token from the Authorization header only (a token in the query or
 * form is refused, never read), and a JWT access token is checked against the ledger, so a revoked or
 * foreign one is `invalid_token` as it is at `/mcp`.
 */
export function userinfoBearer({ verifier }: { verifier: AccessTokenVerifier }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-userinfo-bearer",
    before: [
      hook("/oauth2/userinfo", async (ctx) => {
        if ("access_token" in queryOf(ctx) || "access_token" in formBody(ctx)) {
          throw new APIError("BAD_REQUEST", {
            error: "invalid_request",
            error_description: "Send the access token in the Authorization header only",
          });
        }
        const authorization = ctx.headers?.get("authorization") ?? "";
        const token = /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, "").trim() : "";
        if (token.split(".").length !== 3) return;
        const check = await verifier.verify(token);
        if (!check.ok) throw invalidBearer(REJECTION_DESCRIPTIONS[check.reason]);
      }),
    ],
  });
}
