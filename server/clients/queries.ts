import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { clientRegistration, oauthClient } from "@/db/schema";
import type { PermissionScope } from "@/server/authz/authority";
import { requireGlobally } from "@/server/authz/guard";
import { clientRegistrationSettings } from "@/server/auth/plugins/client-registration";
import { selectClients, toClientItem, type ClientItem } from "@/server/oauth/clients";
import { countLiveAccessTokens } from "@/server/oauth/issued-tokens";
import { readMetadataDocumentPolicy, type MetadataDocumentPolicy } from "@/server/oauth/metadata-document-policy";
import { registrationSprawl } from "@/server/oauth/unused-clients";
import { sortableKeyset, type Page } from "@/server/paging";
import type { Context } from "@/server/trpc/context";
import { allows } from "@/server/trpc/procedures";
import {
  assertClientPermission,
  assertMayChangeMetadataDocumentPolicy,
  assertMayChangeResourceServer,
  assertMayChangeTrust,
  assertMayRegisterIn,
  assertMayTrust,
  assertMayRevokeGrantsOf,
  assertMayViewGrantsOf,
  type ClientsCaller,
} from "./commands";
import type { listClientsInput } from "./inputs";
import { domainOptions } from "@/server/domains/queries";

/** What a read needs of the caller: the database and who is asking. */
export type ClientsReader = Pick<ClientsCaller, "db" | "authority" | "session">;

/** What the caller may do with one client, each flag computed by the rule its mutation enforces. */
export interface ClientCan {
  edit: boolean;
  rotateSecret: boolean;
  disable: boolean;
  enable: boolean;
  delete: boolean;
  /** Flip whether the client skips consent (marking it trusted needs a global clients:admin). */
  trust: boolean;
  /** Flip whether the client may introspect other clients' tokens. */
  setResourceServer: boolean;
}

/** The detail adds what the client's page offers from the grants side. */
export interface ClientDetailCan extends ClientCan {
  /** Revoke every grant and token of the client (the grants router's revoke-all-for-client). */
  revokeGrants: boolean;
  /** Open the list of the client's grants. */
  viewGrants: boolean;
  /** For a client identified by a metadata document: block its host (the metadata-document policy's blockHost). */
  blockHost: boolean;
}

export type ClientRow = ClientItem & { can: ClientCan };

async function clientCan(reader: ClientsReader, client: ClientItem): Promise<ClientCan> {
  const may = (permission: Parameters<typeof assertClientPermission>[2]) => allows(() => assertClientPermission(reader.authority, client, permission));
  const edit = await may("clients:write");
  const admin = await may("clients:admin");
  return {
    edit,
    rotateSecret: admin,
    disable: admin,
    enable: admin,
    delete: await may("clients:delete"),
    // Both go through update, which first needs clients:write where the client lives.
    trust: edit && (await allows(() => assertMayChangeTrust(reader, client, !client.skipConsent))),
    setResourceServer: edit && (await allows(() => assertMayChangeResourceServer(reader, client, !client.resourceServer))),
  };
}

/** Clients in a scope: everything for a global holder, otherwise clients owned by the scope's domains. */
function clientInScope(scope: PermissionScope): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.domainIds.length === 0) return sql`0`;
  return inArray(clientRegistration.domainId, scope.domainIds);
}

// The same values toClientItem shows for a client without a name or creation time.
const clientOrder = sortableKeyset(
  "clients",
  {
    name: { expression: sql`coalesce(${oauthClient.name}, ${oauthClient.clientId})`, type: "string" },
    createdAt: { expression: sql`coalesce(${oauthClient.createdAt}, 0)`, type: "number" },
  },
  oauthClient.clientId,
);

export interface ClientList extends Page<ClientRow> {
  can: {
    /** Register a client somewhere: installation-wide or in one of `domains`. */
    create: boolean;
    createInstallationWide: boolean;
    /** Register a client that skips consent. */
    trust: boolean;
  };
  /** The domains whose clients the caller sees (the domain filter), each with whether a client may be registered there. */
  domains: { id: string; name: string; can: { register: boolean } }[];
}

export async function listClients(reader: ClientsReader, input: z.output<typeof listClientsInput>): Promise<ClientList> {
  const { db, authority } = reader;
  const scope = authority.scopeOf("clients:read");
  const conditions: (SQL | undefined)[] = [clientInScope(scope)];
  if (input.domainId) conditions.push(eq(clientRegistration.domainId, input.domainId));
  if (input.type === "public") conditions.push(eq(oauthClient.tokenEndpointAuthMethod, "none"));
  if (input.type === "confidential") {
    conditions.push(or(isNull(oauthClient.tokenEndpointAuthMethod), sql`${oauthClient.tokenEndpointAuthMethod} <> 'none'`));
  }
  if (input.status === "active") conditions.push(or(isNull(oauthClient.disabled), eq(oauthClient.disabled, false)));
  if (input.status === "disabled") conditions.push(eq(oauthClient.disabled, true));
  // A client with no registration row counts as dynamically registered, as toClientItem shows it.
  if (input.origin === "dynamic") conditions.push(or(isNull(clientRegistration.origin), eq(clientRegistration.origin, "dynamic")));
  else if (input.origin) conditions.push(eq(clientRegistration.origin, input.origin));
  if (input.search) {
    const needle = input.search.toLowerCase();
    conditions.push(
      or(sql`instr(lower(coalesce(${oauthClient.name}, '')), ${needle}) > 0`, sql`instr(lower(${oauthClient.clientId}), ${needle}) > 0`),
    );
  }
  const order = clientOrder.plan(input.sort, input.cursor);
  conditions.push(order.where);
  const [rows, domains] = await Promise.all([
    selectClients(db)
      .where(and(...conditions))
      .orderBy(...order.orderBy)
      .limit(input.limit + 1),
    domainOptions(db, scope),
  ]);
  const page = clientOrder.page(rows.map(toClientItem), input.limit, input.sort, (client) => ({
    value: input.sort.by === "name" ? client.name : client.createdAt.getTime(),
    id: client.clientId,
  }));
  const items = await Promise.all(page.items.map(async (client) => ({ ...client, can: await clientCan(reader, client) })));
  const registerable = (domainId: string | null) => allows(() => assertMayRegisterIn(authority, domainId));
  const domainsWithCan = await Promise.all(domains.map(async (option) => ({ ...option, can: { register: await registerable(option.id) } })));
  const createInstallationWide = await registerable(null);
  return {
    items,
    nextCursor: page.nextCursor,
    can: {
      create: createInstallationWide || domainsWithCan.some((option) => option.can.register),
      createInstallationWide,
      trust: await allows(() => assertMayTrust(reader, "mark a client trusted")),
    },
    domains: domainsWithCan,
  };
}

export type ClientDetail = ClientItem & { liveAccessTokens: number; can: ClientDetailCan };

/** One client the caller may read (the router's row procedure has checked that), with its live tokens and what the caller may do. */
export async function getClient(reader: ClientsReader, client: ClientItem): Promise<ClientDetail> {
  return {
    ...client,
    liveAccessTokens: await countLiveAccessTokens(reader.db, { clientId: client.clientId }),
    can: {
      ...(await clientCan(reader, client)),
      revokeGrants: await allows(() => assertMayRevokeGrantsOf(reader.authority, client)),
      viewGrants: await allows(() => assertMayViewGrantsOf(reader.authority, client)),
      blockHost: client.metadataDocumentHost !== null && (await allows(() => assertMayChangeMetadataDocumentPolicy(reader))),
    },
  };
}

/** Self-registered clients belong to no domain, so how many there are is for global client readers only. */
export async function registrationSummary(reader: ClientsReader & Pick<Context, "auth">) {
  requireGlobally(reader.authority, "clients:read");
  return registrationSprawl(reader.db, clientRegistrationSettings(reader.auth).unusedClientDays);
}

/** The installation's policy, read with clients:read globally, with whether the caller may change it. */
export async function metadataDocumentPolicy(reader: ClientsReader): Promise<MetadataDocumentPolicy & { can: { change: boolean } }> {
  requireGlobally(reader.authority, "clients:read");
  const policy = await readMetadataDocumentPolicy(reader.db);
  return { ...policy, can: { change: await allows(() => assertMayChangeMetadataDocumentPolicy(reader)) } };
}
