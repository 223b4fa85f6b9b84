import { TRPCError } from "@trpc/server";
import { recordEvent } from "@/server/audit/record";
import { findDomain } from "@/server/domains/queries";
import type { Authority } from "@/server/authz/authority";
import { authorizeIn, requireGlobally } from "@/server/authz/guard";
import type { Permission } from "@/server/shared/permissions";
import { TOKEN_SESSION_PREFIX } from "@/server/auth/step-up";
import { MCP_SCOPES, usableMcpScopes, type McpScope } from "@/server/mcp/catalog";
import {
  CLIENT_NOT_FOUND,
  clientIdInput,
  createClient,
  createClientInput,
  deleteClient,
  findClient,
  listClients,
  listClientsInput,
  revokeClientTokens,
  rotateClientSecret,
  setClientDisabled,
  updateClient,
  updateClientInput,
  type ClientItem,
} from "@/server/oauth/clients";
import { mcpResourceUrl } from "@/server/oauth/config";
import type { OAuthScope } from "@/server/shared/scopes";
import { metadataDocumentClientChangeProblem } from "@/server/oauth/metadata-document-policy";
import { countLiveAccessTokens } from "@/server/oauth/issued-tokens";
import { registrationSprawl } from "@/server/oauth/unused-clients";
import { clientRegistrationSettings } from "@/server/auth/plugins/client-registration";
import type { Executor } from "@/db/client";
import { revocationDetails } from "@/server/grants/commands";
import type { Context } from "@/server/trpc/context";
import { router } from "@/server/trpc/init";
import { permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";

/** A client outside every domain the caller can read clients in does not exist for them. */
async function authorizedClient(db: Executor, authority: Authority, clientId: string, permission: Permission): Promise<ClientItem> {
  const client = await findClient(db, clientId);
  authorizeIn(authority, { permission, domainId: client.domainId, visibleWith: "clients:read", notFound: CLIENT_NOT_FOUND });
  return client;
}

function auditTarget(client: Pick<ClientItem, "clientId" | "domainId">) {
  return { targetType: "client", targetId: client.clientId, domainId: client.domainId } as const;
}

/**
 * Trusting a client (no consent screen) or letting it introspect other clients' tokens widens what
 * every token of it can do: only a global clients:admin may, in the console, never through a token.
 */
function requireTrustAuthority(ctx: Pick<Context, "session">, authority: Authority, change: string): void {
  if (ctx.session?.id.startsWith(TOKEN_SESSION_PREFIX)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `An MCP client cannot ${change}. An administrator can do it in the Gatehouse console.`,
    });
  }
  requireGlobally(authority, "clients:admin");
}

const isMcpScope = (scope: OAuthScope): scope is McpScope => (MCP_SCOPES as readonly string[]).includes(scope);

/** Nobody gives a client an MCP scope whose tools they could not use themselves where the client lives. */
function requireUsableScopes(authority: Authority, scopes: readonly OAuthScope[], domainId: string | null): void {
  const usable = usableMcpScopes(authority, domainId);
  const above = scopes.filter((scope) => isMcpScope(scope) && !usable.includes(scope));
  if (above.length > 0) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `You cannot allow ${above.join(", ")}: your roles ${domainId === null ? "globally" : "in this domain"} do not let you use the tools of ${above.length === 1 ? "that scope" : "those scopes"}. Remove ${above.length === 1 ? "it" : "them"}, or ask an administrator who holds those permissions.`,
    });
  }
}

export const clientsRouter = router({
  list: permissionProcedure("clients:read")
    .meta({
      description:
        "Lists the OAuth clients the caller may read, newest first, a page at a time; filter by owning domain, type (public or confidential), status (active or disabled) or a search on name and client_id.",
    })
    .input(listClientsInput)
    .query(({ ctx, input }) => listClients(ctx.db, ctx.authority.scopeOf("clients:read"), input)),

  registrationSummary: permissionProcedure("clients:read")
    .meta({
      description:
        "Counts the clients that registered themselves (RFC 7591): how many in the last 24 hours and 7 days, how many have no grant, and when the unused ones are removed. Self-registered clients belong to no domain, so this needs clients:read globally.",
    })
    .query(({ ctx }) => {
      requireGlobally(ctx.authority, "clients:read");
      return registrationSprawl(ctx.db, clientRegistrationSettings(ctx.auth).unusedClientDays);
    }),

  get: permissionProcedure("clients:read")
    .meta({
      description: "Returns one OAuth client with its redirect URIs, allowed scopes, owning domain and how many access tokens are live.",
    })
    .input(clientIdInput)
    .query(async ({ ctx, input }) => {
      const client = await authorizedClient(ctx.db, ctx.authority, input.clientId, "clients:read");
      return { ...client, liveAccessTokens: await countLiveAccessTokens(ctx.db, { clientId: client.clientId }) };
    }),

  create: permissionProcedure("clients:write")
    .meta({
      description:
        "Registers an OAuth client (public with PKCE, or confidential with a secret) with exact redirect URIs and allowed scopes (none above what your roles can use where the client lives), owned by a domain or installation-wide. A trusted client (no consent screen) needs clients:admin globally and a recent sign-in. A confidential client's secret is in this response only.",
      stepUp: { action: "trust a client", raises: ["trusts-client"], when: stepUpWhen(createClientInput, (_ctx, input) => input.skipConsent) },
    })
    .input(createClientInput)
    .mutation(async ({ ctx, input }) => {
      if (input.domainId === null) requireGlobally(ctx.authority, "clients:write");
      else {
        authorizeIn(ctx.authority, {
          permission: "clients:write",
          domainId: input.domainId,
          visibleWith: "clients:read",
          notFound: "Domain not found.",
        });
      }
      if (input.skipConsent) requireTrustAuthority(ctx, ctx.authority, "mark a client trusted");
      requireUsableScopes(ctx.authority, input.scopes, input.domainId);
      return ctx.db.transaction(async (tx) => {
        if (input.domainId !== null) await findDomain(tx, input.domainId);
        const created = await createClient(tx, input, {
          createdBy: ctx.user.id,
          mcpResource: mcpResourceUrl(String(ctx.auth.options.baseURL)),
        });
        await recordEvent(tx, ctx.actor, {
          action: "client.created",
          ...auditTarget(created.client),
          details: {
            name: created.client.name,
            type: created.client.type,
            redirectUris: created.client.redirectUris,
            scopes: created.client.scopes,
            skipConsent: created.client.skipConsent,
          },
        });
        if (created.client.skipConsent) {
          await recordEvent(tx, ctx.actor, { action: "client.trusted", ...auditTarget(created.client), details: { name: created.client.name } });
        }
        return created;
      });
    }),

  update: permissionProcedure("clients:write")
    .meta({
      description:
        "Changes a client's name, logo, redirect URIs (the list replaces the old one) or allowed scopes (none above what your roles can use where the client lives). Marking it trusted (skip consent) or a resource server needs clients:admin globally and a recent sign-in, and is refused through MCP. A call that changes nothing writes nothing.",
      stepUp: {
        action: "trust a client",
        raises: ["trusts-client"],
        when: stepUpWhen(updateClientInput, (_ctx, input) => input.skipConsent === true || input.resourceServer === true),
      },
    })
    .input(updateClientInput)
    .mutation(async ({ ctx, input }) => {
      const current = await authorizedClient(ctx.db, ctx.authority, input.clientId, "clients:write");
      const documentOwned = metadataDocumentClientChangeProblem(current, input);
      if (documentOwned) throw new TRPCError({ code: "BAD_REQUEST", message: documentOwned });
      if (input.skipConsent === true && !current.skipConsent) requireTrustAuthority(ctx, ctx.authority, "mark a client trusted");
      if (input.skipConsent === false && current.skipConsent) {
        authorizeIn(ctx.authority, { permission: "clients:admin", domainId: current.domainId, visibleWith: "clients:read", notFound: CLIENT_NOT_FOUND });
      }
      if (input.resourceServer !== undefined && input.resourceServer !== current.resourceServer) {
        requireTrustAuthority(ctx, ctx.authority, "change whether a client is a resource server");
        if (input.resourceServer && current.type !== "confidential") {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: "Only a confidential client can introspect tokens, so only a confidential client can be a resource server.",
          });
        }
      }
      if (input.scopes) {
        requireUsableScopes(ctx.authority, input.scopes.filter((scope) => !current.scopes.includes(scope)), current.domainId);
      }
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      const compare = (field: string, previous: unknown, next: unknown) => {
        if (next !== undefined && JSON.stringify(previous) !== JSON.stringify(next)) {
          before[field] = previous;
          after[field] = next;
        }
      };
      compare("name", current.name, input.name);
      compare("redirectUris", current.redirectUris, input.redirectUris);
      compare("scopes", current.scopes, input.scopes);
      compare("skipConsent", current.skipConsent, input.skipConsent);
      compare("resourceServer", current.resourceServer, input.resourceServer);
      compare("logoUri", current.logoUri ?? "", input.logoUri);
      if (Object.keys(after).length === 0) return current;
      return ctx.db.transaction(async (tx) => {
        const updated = await updateClient(tx, current, input);
        await recordEvent(tx, ctx.actor, { action: "client.updated", ...auditTarget(current), details: { before, after } });
        // A change of trust is what an auditor looks for first, so it has an event of its own.
        if ("skipConsent" in after) {
          await recordEvent(tx, ctx.actor, { action: updated.skipConsent ? "client.trusted" : "client.untrusted", ...auditTarget(current), details: { name: updated.name } });
        }
        if ("resourceServer" in after) {
          await recordEvent(tx, ctx.actor, {
            action: updated.resourceServer ? "client.resource_server_marked" : "client.resource_server_unmarked",
            ...auditTarget(current),
            details: { name: updated.name },
          });
        }
        return updated;
      });
    }),

  rotateSecret: permissionProcedure("clients:admin")
    .meta({
      description:
        "Replaces a confidential client's secret: the old one stops working at once and the client's live tokens are revoked. The new secret is in this response only. Needs a recent sign-in.",
      stepUp: { action: "rotate a client secret", raises: ["changes-credentials"] },
    })
    .input(clientIdInput)
    .mutation(async ({ ctx, input }) => {
      const client = await authorizedClient(ctx.db, ctx.authority, input.clientId, "clients:admin");
      if (client.type !== "confidential" || client.authMethod === "private_key_jwt") {
        throw new TRPCError({ code: "BAD_REQUEST", message: "Only a confidential client has a secret to rotate." });
      }
      return ctx.db.transaction(async (tx) => {
        const clientSecret = await rotateClientSecret(tx, client.clientId);
        const revoked = await revokeClientTokens(tx, client.clientId, "client_secret_rotated");
        await recordEvent(tx, ctx.actor, { action: "client.secret_rotated", ...auditTarget(client), details: revocationDetails(revoked) });
        return { clientId: client.clientId, clientSecret };
      });
    }),

  disable: permissionProcedure("clients:admin")
    .meta({
      description:
        "Disables a client: it gets invalid_client at the token endpoint and every token it holds stops working at once. Enable undoes the first part only.",
      stepUp: false,
    })
    .input(clientIdInput)
    .mutation(async ({ ctx, input }) => {
      const client = await authorizedClient(ctx.db, ctx.authority, input.clientId, "clients:admin");
      if (client.disabled) return client;
      return ctx.db.transaction(async (tx) => {
        await setClientDisabled(tx, client.clientId, true);
        const revoked = await revokeClientTokens(tx, client.clientId, "client_disabled");
        await recordEvent(tx, ctx.actor, { action: "client.disabled", ...auditTarget(client), details: { name: client.name, ...revocationDetails(revoked) } });
        return findClient(tx, client.clientId);
      });
    }),

  enable: permissionProcedure("clients:admin")
    .meta({ description: "Re-enables a disabled client; tokens revoked when it was disabled stay revoked.", stepUp: false })
    .input(clientIdInput)
    .mutation(async ({ ctx, input }) => {
      const client = await authorizedClient(ctx.db, ctx.authority, input.clientId, "clients:admin");
      if (!client.disabled) return client;
      return ctx.db.transaction(async (tx) => {
        await setClientDisabled(tx, client.clientId, false);
        await recordEvent(tx, ctx.actor, { action: "client.enabled", ...auditTarget(client), details: { name: client.name } });
        return findClient(tx, client.clientId);
      });
    }),

  delete: permissionProcedure("clients:delete")
    .meta({
      description: "Deletes a client with its consents and tokens; every token it holds stops working at once. This cannot be undone.",
      stepUp: false,
    })
    .input(clientIdInput)
    .mutation(async ({ ctx, input }) => {
      const client = await authorizedClient(ctx.db, ctx.authority, input.clientId, "clients:delete");
      return ctx.db.transaction(async (tx) => {
        const liveAccessTokens = await countLiveAccessTokens(tx, { clientId: client.clientId });
        await deleteClient(tx, client.clientId);
        await recordEvent(tx, ctx.actor, {
          action: "client.deleted",
          ...auditTarget(client),
          details: { name: client.name, type: client.type, accessTokensRevoked: liveAccessTokens },
        });
        return { clientId: client.clientId };
      });
    }),
});
