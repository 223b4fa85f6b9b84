import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";
import type { AccessTokenVerifier } from "@/server/oauth/access-token";
import { foreignJwtAsUnknown } from "@/server/oauth/token-requests";

/** What runs once the provider has answered: better-auth's after-hook handler. */
type AfterHandler = Parameters<typeof createAuthMiddleware>[0];

/**
 * A plugin around one of the provider's token endpoints (revocation, introspection): before the
 * provider runs, a JWT Gatehouse never signed is handed to it as an unknown token (so it never
 * answers 500); once it has answered, `after` checks or records what it did.
 */
export function tokenEndpointPlugin(options: { id: string; path: string; verifier: AccessTokenVerifier; after: AfterHandler }): BetterAuthPlugin {
  const matcher = (ctx: { path?: string }) => ctx.path === options.path;
  return {
    id: options.id,
    hooks: {
      before: [{ matcher, handler: createAuthMiddleware(async (ctx) => foreignJwtAsUnknown(options.verifier, ctx)) }],
      after: [{ matcher, handler: createAuthMiddleware(options.after) }],
    },
  };
}
