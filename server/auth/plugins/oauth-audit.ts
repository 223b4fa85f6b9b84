import type { BetterAuthPlugin } from "better-auth";
import { isAPIError } from "better-auth/api";
import type { Database } from "@/db/client";
import { recordEvent } from "@/server/audit/record";
import { clientExists, field, formBody, oauthActor, queryOf } from "@/server/oauth/token-requests";
import { authPlugin, hook } from "./define";

/**
 * Audit rows for what people do at the authorization endpoints: an authorization that failed for a
 * known client (its error goes back to the client, or to the error page, as a redirect), and each
 * consent given or refused.
 */
export function oauthAudit({ db }: { db: Database }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-oauth-audit",
    after: [
      hook("/oauth2/authorize", async (ctx) => {
        const returned = ctx.context.returned as { url?: unknown; headers?: Headers } | undefined;
        const target = typeof returned?.url === "string" ? returned.url : returned?.headers?.get?.("location");
        if (!target) return;
        const error = new URL(target, "http://placeholder.invalid").searchParams.get("error");
        const query = queryOf(ctx);
        const clientId = field(query, "client_id");
        if (!error || !(await clientExists(db, clientId))) return;
        await recordEvent(db, oauthActor(ctx, clientId!, ctx.context.session?.user.id ?? null), {
          action: "oauth.authorize_failed",
          targetType: "client",
          targetId: clientId!,
          details: { error, redirectUri: field(query, "redirect_uri") ?? null, scope: field(query, "scope") ?? null },
        });
      }),
      hook("/oauth2/consent", async (ctx) => {
        const userId = ctx.context.session?.user.id ?? null;
        if (isAPIError(ctx.context.returned) || !userId) return;
        const body = formBody(ctx);
        const query = new URLSearchParams(field(body, "oauth_query") ?? "");
        const clientId = query.get("client_id");
        await recordEvent(db, oauthActor(ctx, clientId, userId), {
          action: body.accept === true ? "oauth.consent_granted" : "oauth.consent_denied",
          targetType: "client",
          targetId: clientId,
          details: { scope: field(body, "scope") ?? query.get("scope") },
        });
      }),
    ],
  });
}
