import type { BetterAuthPlugin } from "better-auth";
import type { AccessTokenVerifier } from "@/server/oauth/access-token";
import { foreignJwtAsUnknown } from "@/server/oauth/token-requests";
import { authPlugin, hook, type HookHandler } from "./define";

/**
 * A plugin around one of the provider's token endpoints (revocation, introspection): before the
 * provider runs, a JWT Gatehouse never signed is handed to it as an unknown token (so it never
 * answers 500); once it has answered, `after` checks or records what it did.
 */
export function tokenEndpointPlugin(options: { id: string; path: string; verifier: AccessTokenVerifier; after: HookHandler }): BetterAuthPlugin {
  return authPlugin({
    id: options.id,
    before: [hook(options.path, async (ctx) => foreignJwtAsUnknown(options.verifier, ctx))],
    after: [hook(options.path, options.after)],
  });
}

/**
 * A before-hook on `/oauth2/authorize`. The provider dispatches that path again when it resumes a
 * request after sign-in and after consent, so the hook sees every authorization, whichever way it arrives.
 */
export function beforeAuthorize(handler: HookHandler) {
  return hook("/oauth2/authorize", handler);
}
