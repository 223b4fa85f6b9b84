import type { BetterAuthPlugin } from "better-auth";
import type { AccessTokenVerifier } from "@/server/oauth/access-token";
import { authorizeInForm, authorizeParameters, field, foreignJwtAsUnknown, type FormBody } from "@/server/oauth/token-requests";
import { authPlugin, hook, type HookContext, type HookHandler } from "./define";

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

/** An authorization request's parameters, from its query or (a top-level POST) its form, and the two every hook reads. */
export interface AuthorizeRequest {
  parameters: FormBody;
  inForm: boolean;
  clientId: string | undefined;
  redirectUri: string | undefined;
}

/**
 * A before-hook on `/oauth2/authorize`, handed the request's parameters. The provider dispatches that
 * path again when it resumes a request after sign-in and after consent, so the hook sees every
 * authorization, whichever way it arrives.
 */
export function beforeAuthorize(handler: (ctx: HookContext, request: AuthorizeRequest) => Promise<unknown>) {
  return hook("/oauth2/authorize", async (ctx) => {
    const parameters = authorizeParameters(ctx);
    const request = { parameters, inForm: authorizeInForm(ctx), clientId: field(parameters, "client_id"), redirectUri: field(parameters, "redirect_uri") };
    return handler(ctx, request);
  });
}
