import { TRPCError } from "@trpc/server";
import { recordEvent } from "@/server/audit/record";
import { findDomain } from "@/server/authz/domains";
import type { Grants } from "@/server/authz/grants";
import { authorizeIn, requireGlobally } from "@/server/authz/guard";
import type { Permission } from "@/server/authz/permissions";
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
import { countLiveAccessTokens } from "@/server/oauth/issued-tokens";
import type { Executor } from "@/db/client";
import { revocationDetails } from "@/server/oauth/grants";
import { router } from "../init";
import { permissionProcedure, stepUpWhen } from "../procedures";

/** A client outside every domain the caller can read clients in does not exist for them. */
async function authorizedClient(db: Executor, grants: Grants, clientId: string, permission: Permission): Promise<ClientItem> {
  const client = await findClient(db, clientId);
  authorizeIn(grants, { permission, domainId: client.domainId, visibleWith: "clients:read", notFound: CLIENT_NOT_FOUND });
  return client;
}

function auditTarget(client: Pick<ClientItem, "clientId" | "domainId">) {
  return { targetType: "client", targetId: client.clientId, domainId: client.domainId } as const;
}

export const clientsRouter = router({
  list: permissionProcedure("clients:read")
    .meta({
      description:
        "Lists the OAuth clients the caller may read, newest first, a page at a time; filter by owning domain, type (public or confidential), status (active or disabled) or a search on name and client_id.",
    })
    .input(listClientsInput)
    .query(({ ctx, input }) => listClients(ctx.db, ctx.grants.scopeOf("clients:read"), input)),

  get: permissionProcedure("clients:read")
    .meta({
      description: "Returns one OAuth client with its redirect URIs, allowed scopes, owning domain and how many access tokens are live.",
    })
    .input(clientIdInput)
    .query(async ({ ctx, input }) => {
      const client = await authorizedClient(ctx.db, ctx.grants, input.clientId, "clients:read");
      return { ...client, liveAccessTokens: await countLiveAccessTokens(ctx.db, { clientId: client.clientId }) };
    }),

  create: permissionProcedure("clients:write")
    .meta({
      description:
        "Registers an OAuth client (public with PKCE, or confidential with a secret) with exact redirect URIs and allowed scopes, owned by a domain or installation-wide. A confidential client's secret is in this response only.",
      stepUp: { action: "trust a client", raises: ["trusts-client"], when: stepUpWhen(createClientInput, (_ctx, input) => input.skipConsent) },
    })
    .input(createClientInput)
    .mutation(async ({ ctx, input }) => {
      if (input.domainId === null) requireGlobally(ctx.grants, "clients:write");
      else {
        authorizeIn(ctx.grants, {
          permission: "clients:write",
          domainId: input.domainId,
          visibleWith: "clients:read",
          notFound: "Domain not found.",
        });
      }
      if (input.skipConsent) {
        authorizeIn(ctx.grants, { permission: "clients:admin", domainId: input.domainId, visibleWith: "clients:read", notFound: "Domain not found." });
      }
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
        return created;
      });
    }),

  update: permissionProcedure("clients:write")
    .meta({
      description:
        "Changes a client's name, logo, redirect URIs (the list replaces the old one) or allowed scopes; marking it trusted (skip consent) needs clients:admin. A call that changes nothing writes nothing.",
      stepUp: { action: "trust a client", raises: ["trusts-client"], when: stepUpWhen(updateClientInput, (_ctx, input) => input.skipConsent === true) },
    })
    .input(updateClientInput)
    .mutation(async ({ ctx, input }) => {
      const current = await authorizedClient(ctx.db, ctx.grants, input.clientId, "clients:write");
      if (input.skipConsent !== undefined && input.skipConsent !== current.skipConsent) {
        authorizeIn(ctx.grants, { permission: "clients:admin", domainId: current.domainId, visibleWith: "clients:read", notFound: CLIENT_NOT_FOUND });
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
      compare("logoUri", current.logoUri ?? "", input.logoUri);
      if (Object.keys(after).length === 0) return current;
      return ctx.db.transaction(async (tx) => {
        const updated = await updateClient(tx, current, input);
        await recordEvent(tx, ctx.actor, { action: "client.updated", ...auditTarget(current), details: { before, after } });
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
      const client = await authorizedClient(ctx.db, ctx.grants, input.clientId, "clients:admin");
      if (client.type !== "confidential") {
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
      const client = await authorizedClient(ctx.db, ctx.grants, input.clientId, "clients:admin");
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
      const client = await authorizedClient(ctx.db, ctx.grants, input.clientId, "clients:admin");
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
      const client = await authorizedClient(ctx.db, ctx.grants, input.clientId, "clients:delete");
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
