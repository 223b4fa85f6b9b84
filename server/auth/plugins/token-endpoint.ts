import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";
import type { AccessTokenVerifier } from "@/server/oauth/access-token";
import { foreignJwtAsUnknown } from "@/server/oauth/token-requests";

/** A better-auth hook handler: what runs before the provider does, or once it has answered. */
type HookHandler = Parameters<typeof createAuthMiddleware>[0];

/**
 * A plugin around one of the provider's token endpoints (revocation, introspection): before the
 * provider runs, a JWT Gatehouse never signed is handed to it as an unknown token (so it never
 * answers 500); once it has answered, `after` checks or records what it did.
 */
export function tokenEndpointPlugin(options: { id: string; path: string; verifier: AccessTokenVerifier; after: HookHandler }): BetterAuthPlugin {
  const matcher = (ctx: { path?: string }) => ctx.path === options.path;
  return {
    id: options.id,
    hooks: {
      before: [{ matcher, handler: createAuthMiddleware(async (ctx) => foreignJwtAsUnknown(options.verifier, ctx)) }],
      after: [{ matcher, handler: createAuthMiddleware(options.after) }],
    },
  };
}

/**
 * A before-hook on `/oauth2/authorize`. The provider dispatches that path again when it resumes a
 * request after sign-in and after consent, so the hook sees every authorization, whichever way it arrives.
 */
export function beforeAuthorize(handler: HookHandler) {
  return { matcher: (ctx: { path?: string }) => ctx.path === "/oauth2/authorize", handler: createAuthMiddleware(handler) };
}
