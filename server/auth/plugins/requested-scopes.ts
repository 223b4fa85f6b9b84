import type { BetterAuthPlugin } from "better-auth";
import { getSessionFromCtx } from "better-auth/api";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { clientRegistration, oauthClient } from "@/db/schema";
import { recordEvent, requestOrigin, type AuditActor } from "@/server/audit/record";
import { loadTokenAuthority } from "@/server/authz/authority";
import { grantableMcpScopes, isMcpScope } from "@/server/mcp/catalog";
import { denyAuthorization, isRegisteredRedirect } from "@/server/oauth/authorize-denial";
import { storedStringArray } from "@/server/oauth/stored";
import { field } from "@/server/oauth/token-requests";
import { beforeAuthorize } from "./token-endpoint";
import { authPlugin } from "./define";

const NOTHING_USABLE =
  "Your roles do not allow any of the access this application asked for. Ask an administrator for a role that covers it, then connect again.";

const scopeList = (value: string) => value.split(" ").filter(Boolean);

/**
 * What an authorization request without `scope` asks a client that registered itself for: its
 * registered scopes, but of the MCP tiers only `mcp:read`. The write and admin tiers are granted only
 * to a request that names them, whatever the client has asked for before.
 */
function defaultRequest(stored: readonly string[]): string[] {
  const readOnly = stored.filter((scope) => !isMcpScope(scope) || scope === "mcp:read");
  return readOnly.length > 0 ? readOnly : [...stored];
}

/**
 * Which scopes an authorization request gets, decided before the provider validates it, so that the
 * consent page lists, and the code carries, exactly what will be granted:
 *
 * - A client that registered itself (RFC 7591, or a client ID metadata document) may ask for any MCP
 *   tier, whatever it registered with: one that registered with every tier could always ask for them,
 *   and clients such as claude.ai register without `scope` and ask later. The tiers it asks for are
 *   added to its stored scopes, which the provider checks at authorize, token and refresh time. A
 *   console client stays bounded by the scopes an administrator gave it.
 * - The MCP tiers the signed-in person's roles can never use through this client are dropped (for a
 *   domain's client, the roles they hold in that domain): a member asked for every tier is shown, and
 *   authority, `mcp:read` only. A request left with no MCP tier and nothing else of substance is refused
 *   with `access_denied` rather than answered with a token that opens nothing.
 *
 * The provider dispatches `/oauth2/authorize` again after sign-in and from `/oauth2/consent`, so the
 * bound is applied again for whoever is signed in at that point, and again against current roles.
 */
export function requestedScopes({ db, issuer }: { db: Database; issuer: string }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-requested-scopes",
    before: [
      beforeAuthorize(async (ctx, { parameters, inForm, clientId, redirectUri }) => {
        // A request object or request_uri carries its own parameters (the provider refuses both today).
        if (!clientId || !redirectUri || parameters.request !== undefined || parameters.request_uri !== undefined) return;

        const [client] = await db
          .select({
            scopes: oauthClient.scopes,
            redirectUris: oauthClient.redirectUris,
            disabled: oauthClient.disabled,
            origin: clientRegistration.origin,
            domainId: clientRegistration.domainId,
          })
          .from(oauthClient)
          .leftJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
          .where(eq(oauthClient.clientId, clientId))
          .limit(1);
        // Whatever is wrong with the request itself, the provider answers on its own error page.
        if (!client || client.disabled || !isRegisteredRedirect(storedStringArray(client.redirectUris), redirectUri)) return;

        const stored = storedStringArray(client.scopes);
        const selfRegistered = client.origin === "dynamic" || client.origin === "metadata_document";
        const named = field(parameters, "scope");
        const asked = named === undefined ? (selfRegistered ? defaultRequest(stored) : stored) : scopeList(named);

        const session = await getSessionFromCtx(ctx);
        const actor: AuditActor = {
          userId: session?.user.id ?? null,
          via: "oauth",
          clientId,
          ...(ctx.headers ? requestOrigin(ctx.headers) : { ip: null, userAgent: null }),
        };
        if (selfRegistered && asked.some((scope) => isMcpScope(scope) && !stored.includes(scope))) {
          await allowAskedTiers(db, clientId, asked, actor);
        }

        // Someone about to sign in (again) may come back as another person; the resumed request passes here.
        const signingIn = /\b(login|create)\b/.test(field(parameters, "prompt") ?? "");
        let granted = asked;
        if (session && !signingIn) {
          const usable = grantableMcpScopes(await loadTokenAuthority(db, session.user.id, clientId));
          // A tier the client may not ask for at all stays, for the provider to refuse as invalid_scope.
          const clientMayAsk = (scope: string) => selfRegistered || stored.includes(scope);
          granted = asked.filter((scope) => !isMcpScope(scope) || usable.includes(scope) || !clientMayAsk(scope));
          const askedForTools = asked.some(isMcpScope);
          if (askedForTools && !granted.some(isMcpScope) && granted.every((scope) => scope === "offline_access")) {
            await recordEvent(db, actor, {
              action: "oauth.authorize_denied",
              targetType: "client",
              targetId: clientId,
              domainId: client.domainId ?? null,
              details: { reason: "no_usable_scope", scope: asked.join(" "), redirectUri },
            });
            return denyAuthorization(ctx, { redirectUri, state: field(parameters, "state"), issuer, description: NOTHING_USABLE });
          }
        }

        const scope = granted.join(" ");
        if (scope === named || (named === undefined && granted.length === 0)) return;
        return { context: inForm ? { body: { ...parameters, scope } } : { query: { ...parameters, scope } } };
      }),
    ],
  });
}

/**
 * Adds the MCP tiers a self-registered client asks for to its stored scopes, in one transaction so
 * that two authorizations asking for different tiers at once both stay allowed.
 */
async function allowAskedTiers(db: Database, clientId: string, asked: readonly string[], actor: AuditActor): Promise<void> {
  const tiers = asked.filter(isMcpScope);
  if (tiers.length === 0) return;
  await db.transaction(async (tx) => {
    const [row] = await tx.select({ scopes: oauthClient.scopes }).from(oauthClient).where(eq(oauthClient.clientId, clientId)).limit(1);
    if (!row) return;
    const stored = storedStringArray(row.scopes);
    const added = tiers.filter((scope) => !stored.includes(scope));
    if (added.length === 0) return;
    await tx.update(oauthClient).set({ scopes: [...stored, ...added] }).where(eq(oauthClient.clientId, clientId));
    await recordEvent(tx, actor, {
      action: "client.scopes_requested",
      targetType: "client",
      targetId: clientId,
      details: { added, scopes: [...stored, ...added] },
    });
  });
}
