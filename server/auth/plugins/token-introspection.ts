import type { BetterAuthPlugin } from "better-auth";
import { isAPIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { clientRegistration } from "@/db/schema";
import type { AccessTokenVerifier } from "@/server/oauth/access-token";
import { tokenEndpointPlugin } from "./token-endpoint";
import { field, formBody, namedClientId } from "@/server/oauth/token-requests";

const PATH = "/oauth2/introspect";

/**
 * RFC 7662 introspection as Gatehouse allows it: a client learns about its own tokens only, a
 * resource server an administrator marked may learn about any (the provider lets every client linked
 * to the MCP resource introspect every token for it, and every client is linked to it); a JWT the
 * ledger revoked is inactive; a JWT Gatehouse never signed is answered as any unknown token.
 */
export function tokenIntrospection({ db, verifier }: { db: Database; verifier: AccessTokenVerifier }): BetterAuthPlugin {
  async function mayIntrospect(introspectingClientId: string | undefined, tokenClientId: unknown): Promise<boolean> {
    if (!introspectingClientId) return false;
    if (introspectingClientId === tokenClientId) return true;
    const [registration] = await db
      .select({ resourceServer: clientRegistration.resourceServer })
      .from(clientRegistration)
      .where(eq(clientRegistration.clientId, introspectingClientId))
      .limit(1);
    return registration?.resourceServer === true;
  }

  return tokenEndpointPlugin({
    id: "gatehouse-token-introspection",
    path: PATH,
    verifier,
    after: async (ctx) => {
      const returned = ctx.context.returned as { active?: boolean; client_id?: unknown } | undefined;
      if (!returned || isAPIError(returned) || returned.active !== true) return;
      if (!(await mayIntrospect(namedClientId(ctx.headers, formBody(ctx)), returned.client_id))) return { active: false };
      const token = field(formBody(ctx), "token") ?? "";
      if (token.split(".").length !== 3) return;
      const check = await verifier.verify(token);
      return check.ok ? undefined : { active: false };
    },
  });
}
