import type { BetterAuthPlugin } from "better-auth";
import { APIError, isAPIError } from "better-auth/api";
import { authPlugin, hook } from "./define";

/**
 * Every error from an OAuth endpoint speaks RFC 6749 §5.2: body validation failures (a JSON body,
 * a wrong content type) come from the framework without an `error` code, and a failed PKCE check
 * is `invalid_grant` (RFC 7636 §4.6), which the provider reports as `invalid_request`.
 */
export function asOAuthError(error: APIError): APIError {
  const body = (error.body ?? {}) as { error?: unknown; error_description?: unknown; message?: unknown };
  if (body.error === "invalid_request" && body.error_description === "code verification failed") {
    return new APIError("BAD_REQUEST", { error: "invalid_grant", error_description: "The code_verifier does not match the code_challenge" }, error.headers);
  }
  if (typeof body.error === "string") return error;
  const description = typeof body.message === "string" ? body.message : "The request is malformed";
  return new APIError(error.status, { error: "invalid_request", error_description: description }, error.headers);
}

/**
 * Rewrites whatever error an `/oauth2/*` endpoint (or a plugin hook before this one) answered into
 * RFC 6749's shape, so the plugins after it and the client see one shape.
 */
export function oauthErrors(): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-oauth-errors",
    after: [
      hook((ctx) => (ctx.path ?? "").startsWith("/oauth2/"), async (ctx) => {
        if (isAPIError(ctx.context.returned)) throw asOAuthError(ctx.context.returned);
      }),
    ],
  });
}
