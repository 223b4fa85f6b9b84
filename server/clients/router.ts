import type { z } from "zod";
import { loadClient, type ClientItem } from "@/server/oauth/clients";
import type { Permission } from "@/server/shared/permissions";
import { router } from "@/server/trpc/init";
import { canFlagsOfObject, canFlagsOfPage, permissionProcedure, rowProcedure, stepUpWhen } from "@/server/trpc/procedures";
import {
  CLIENT_ROW,
  deleteClient,
  deleteClients,
  disableClient,
  enableClient,
  registerClient,
  rotateSecret,
  updateClient,
} from "./commands";
import { clientIdInput, createClientInput, deleteClientsInput, updateClientInput, listClientsInput } from "./inputs";
import { getClient, listClients, registrationSummary, type ClientDetail, type ClientRow } from "./queries";

/** A procedure on one client: the client is loaded, and `permission` checked where it lives, before the resolver runs. */
function clientProcedure<Schema extends z.ZodType<{ clientId: string }>>(permission: Permission, input: Schema) {
  return rowProcedure<Schema, ClientItem>({ permission, input, load: (db, { clientId }) => loadClient(db, clientId), ...CLIENT_ROW });
}

/** The flags every client row carries, each naming the mutation it predicts. */
function clientFlags<Row extends ClientRow>() {
  return {
    edit: { procedure: "clients.update", input: (row: Row) => ({ clientId: row.clientId }) },
    rotateSecret: { procedure: "clients.rotateSecret", input: (row: Row) => ({ clientId: row.clientId }) },
    disable: { procedure: "clients.disable", input: (row: Row) => ({ clientId: row.clientId }) },
    enable: { procedure: "clients.enable", input: (row: Row) => ({ clientId: row.clientId }) },
    delete: { procedure: "clients.delete", input: (row: Row) => ({ clientId: row.clientId }) },
    trust: { procedure: "clients.update", input: (row: Row) => ({ clientId: row.clientId, skipConsent: !row.skipConsent }) },
    setResourceServer: { procedure: "clients.update", input: (row: Row) => ({ clientId: row.clientId, resourceServer: !row.resourceServer }) },
  };
}

export const clientsRouter = router({
  list: permissionProcedure("clients:read")
    .meta({
      page: { href: "/clients", label: "Clients" },
      description:
        "Lists the OAuth clients the caller may read, newest first, a page at a time; filter by owning domain, type (public or confidential), status (active or disabled) or a search on name and client_id.",
      can: canFlagsOfPage<ClientRow>(clientFlags<ClientRow>()),
    })
    .input(listClientsInput)
    .query(({ ctx, input }) => listClients(ctx, input)),

  registrationSummary: permissionProcedure("clients:read")
    .meta({
      description:
        "Counts the clients that registered themselves (RFC 7591): how many in the last 24 hours and 7 days, how many have no grant, and when the unused ones are removed. Self-registered clients belong to no domain, so this needs clients:read globally.",
      can: false,
    })
    .query(({ ctx }) => registrationSummary(ctx)),

  get: clientProcedure("clients:read", clientIdInput)
    .meta({
      description: "Returns one OAuth client with its redirect URIs, allowed scopes, owning domain and how many access tokens are live.",
      // blockHost is checked by the metadata-document tests: only a client named by a document has a host to block.
      can: canFlagsOfObject<ClientDetail>({
        ...clientFlags<ClientDetail>(),
        revokeGrants: { procedure: "grants.revokeAllForClient", input: (client) => ({ clientId: client.clientId }) },
        viewGrants: { procedure: "grants.list", input: (client) => ({ clientId: client.clientId }) },
      }),
    })
    .query(({ ctx }) => getClient(ctx, ctx.row)),

  create: permissionProcedure("clients:write")
    .meta({
      description:
        "Registers an OAuth client (public with PKCE, or confidential with a secret) with exact redirect URIs and allowed scopes (none above what your roles can use where the client lives), owned by a domain or installation-wide. A trusted client (no consent screen) needs clients:admin globally and a recent sign-in. A confidential client's secret is in this response only.",
      stepUp: { action: "trust a client", raises: ["trusts-client"], when: stepUpWhen(createClientInput, (_ctx, input) => input.skipConsent) },
    })
    .input(createClientInput)
    .mutation(({ ctx, input }) => registerClient(ctx, input)),

  update: clientProcedure("clients:write", updateClientInput)
    .meta({
      description:
        "Changes a client's name, logo, redirect URIs (the list replaces the old one) or allowed scopes (none above what your roles can use where the client lives). Marking it trusted (skip consent) or a resource server needs clients:admin globally and a recent sign-in, and is refused through MCP. A call that changes nothing writes nothing.",
      stepUp: {
        action: "trust a client",
        raises: ["trusts-client"],
        when: stepUpWhen(updateClientInput, (_ctx, input) => input.skipConsent === true || input.resourceServer === true),
      },
    })
    .mutation(({ ctx, input }) => updateClient(ctx, ctx.row, input)),

  rotateSecret: clientProcedure("clients:admin", clientIdInput)
    .meta({
      description:
        "Replaces a confidential client's secret: the old one stops working at once and the client's live tokens are revoked. The new secret is in this response only. Needs a recent sign-in.",
      stepUp: { action: "rotate a client secret", raises: ["changes-credentials"] },
    })
    .mutation(({ ctx }) => rotateSecret(ctx, ctx.row)),

  disable: clientProcedure("clients:admin", clientIdInput)
    .meta({
      description:
        "Disables a client: it gets invalid_client at the token endpoint and every token it holds stops working at once. Enable undoes the first part only.",
      stepUp: false,
    })
    .mutation(({ ctx }) => disableClient(ctx, ctx.row)),

  enable: clientProcedure("clients:admin", clientIdInput)
    .meta({ description: "Re-enables a disabled client; tokens revoked when it was disabled stay revoked.", stepUp: false })
    .mutation(({ ctx }) => enableClient(ctx, ctx.row)),

  delete: clientProcedure("clients:delete", clientIdInput)
    .meta({
      description: "Deletes a client with its consents and tokens; every token it holds stops working at once. This cannot be undone.",
      stepUp: false,
    })
    .mutation(({ ctx }) => deleteClient(ctx, ctx.row)),

  deleteMany: permissionProcedure("clients:delete")
    .meta({
      description:
        "Deletes several clients at once (1 to 100), each as clients.delete would; if any of them may not be deleted, none is. This cannot be undone.",
      stepUp: false,
    })
    .input(deleteClientsInput)
    .mutation(({ ctx, input }) => deleteClients(ctx, input.clientIds)),
});
