import type { BetterAuthPlugin } from "better-auth";
import { getSessionFromCtx } from "better-auth/api";
import type { Database } from "@/db/client";
import { recordEvent, requestOrigin } from "@/server/audit/record";
import { holdsRoleIn } from "@/server/domains/membership";
import { denyAuthorization, isRegisteredRedirect } from "@/server/oauth/authorize-denial";
import { loadClient } from "@/server/oauth/clients";
import { field } from "@/server/oauth/token-requests";
import { beforeAuthorize } from "./token-endpoint";
import { authPlugin } from "./define";

const NOT_A_MEMBER =
  "This application belongs to a domain you are not a member of, so it cannot act for you. Ask an administrator of that domain for access.";

/**
 * A domain's OAuth clients act for that domain's people only. When someone signed in is sent to
 * authorize such a client and holds no role in its domain, the request ends here with `access_denied`
 * at the client's registered redirect URI, before any consent screen or code, and the audit log says
 * why. A global role does not make someone a member: a domain administrator's app never acts for the
 * installation's owner unless the owner has been given a role in that domain.
 *
 * The provider dispatches `/oauth2/authorize` again when it resumes a request after sign-in and after
 * consent, so this hook sees every authorization, whichever way it arrives.
 */
export function domainClients({ db, issuer }: { db: Database; issuer: string }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-domain-clients",
    before: [
      beforeAuthorize(async (ctx, { parameters, clientId, redirectUri }) => {
        // Someone about to sign in (again) may come back as another person; the resumed request passes here.
        if (!clientId || !redirectUri || /\b(login|create)\b/.test(field(parameters, "prompt") ?? "")) return;

        const client = await loadClient(db, clientId);
        // Whatever is wrong with the request itself, the provider answers on its own error page.
        if (!client?.domainId || client.disabled || !isRegisteredRedirect(client.redirectUris, redirectUri)) return;
        const session = await getSessionFromCtx(ctx);
        if (!session || (await holdsRoleIn(db, session.user.id, client.domainId))) return;

        await recordEvent(
          db,
          { userId: session.user.id, via: "oauth", clientId, ...(ctx.headers ? requestOrigin(ctx.headers) : { ip: null, userAgent: null }) },
          {
            action: "oauth.authorize_denied",
            targetType: "client",
            targetId: clientId,
            domainId: client.domainId,
            details: { reason: "not_a_domain_member", redirectUri },
          },
        );
        return denyAuthorization(ctx, { redirectUri, state: field(parameters, "state"), issuer, description: NOT_A_MEMBER });
      }),
    ],
  });
}
