import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { generateRandomString } from "better-auth/crypto";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { Executor } from "@/db/client";
import { clientRegistration, installationSetting, metadataDocumentHost, oauthClient, oauthClientResource } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import { eachOrNothing } from "@/server/bulk";
import type { Authority } from "@/server/authz/authority";
import { findDomain } from "@/server/domains/queries";
import { authorizeIn, requireGlobally } from "@/server/authz/guard";
import { TOKEN_SESSION_PREFIX } from "@/server/auth/step-up";
import { MCP_SCOPES, usableMcpScopes, type McpScope } from "@/server/mcp/catalog";
import {
  CLIENT_NOT_FOUND,
  applicationTypeFor,
  deleteClient as deleteClientRows,
  findClient,
  loadClient,
  newClientSecret,
  revokeClientTokens,
  type ClientItem,
} from "@/server/oauth/clients";
import { mcpResourceUrl } from "@/server/oauth/config";
import { revocationDetails, revokeGrants, type RevocationCounts } from "@/server/grants/revocation";
import { countLiveAccessTokens } from "@/server/oauth/issued-tokens";
import {
  METADATA_DOCUMENT_SETTING,
  readHostRule,
  readMetadataDocumentMode,
  readMetadataDocumentPolicy,
  type MetadataDocumentMode,
  type MetadataDocumentPolicy,
} from "@/server/oauth/metadata-document-policy";
import { hostOfClientId } from "@/server/oauth/metadata-documents";
import type { Permission } from "@/server/shared/permissions";
import type { OAuthScope } from "@/server/shared/scopes";
import type { Context } from "@/server/trpc/context";
import type { createClientInput, updateClientInput } from "./inputs";

/**
 * Changes to OAuth clients made in the console (and by MCP tools through it), and to the
 * installation's policy on client ID metadata documents. Each command checks its rules, then writes
 * its change and its audit event in one transaction. The rules are named functions, so the `can`
 * flags of the queries call the very checks the commands make.
 */

/** Who is acting: what the rules check and what the audit events name. */
export type ClientsCaller = Pick<Context, "db" | "actor" | "session" | "auth"> & { authority: Authority };
type RuleCaller = Pick<ClientsCaller, "authority" | "session">;

// ---- Rules ----

/**
 * What every per-client procedure checks (the router's row procedures use it): the permission where
 * the client lives. A client outside every domain the caller reads clients in does not exist for them.
 */
export const CLIENT_ROW = { visibleWith: "clients:read", notFound: CLIENT_NOT_FOUND } as const satisfies { visibleWith: Permission; notFound: string };

export function assertClientPermission(authority: Authority, client: Pick<ClientItem, "domainId">, permission: Permission): void {
  authorizeIn(authority, { permission, domainId: client.domainId, ...CLIENT_ROW });
}

/** A domain's client is registered by whoever holds clients:write there; an installation-wide one needs it globally. */
export function assertMayRegisterIn(authority: Authority, domainId: string | null): void {
  if (domainId === null) requireGlobally(authority, "clients:write");
  else authorizeIn(authority, { permission: "clients:write", domainId, visibleWith: "clients:read", notFound: "Domain not found." });
}

/**
 * Trusting a client (no consent screen) or letting it introspect other clients' tokens widens what
 * every token of it can do: only a global clients:admin may, in the console, never through a token.
 */
export function assertMayTrust(caller: RuleCaller, change: string): void {
  if (caller.session?.id.startsWith(TOKEN_SESSION_PREFIX)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `An MCP client cannot ${change}. An administrator can do it in the Gatehouse console.`,
    });
  }
  requireGlobally(caller.authority, "clients:admin");
}

/** Marking a client trusted needs a global clients:admin; taking the trust away, clients:admin where the client lives. */
export function assertMayChangeTrust(caller: RuleCaller, client: Pick<ClientItem, "domainId" | "skipConsent">, skipConsent: boolean): void {
  if (skipConsent && !client.skipConsent) assertMayTrust(caller, "mark a client trusted");
  if (!skipConsent && client.skipConsent) assertClientPermission(caller.authority, client, "clients:admin");
}

export function assertMayChangeResourceServer(caller: RuleCaller, client: Pick<ClientItem, "resourceServer">, resourceServer: boolean): void {
  if (resourceServer !== client.resourceServer) assertMayTrust(caller, "change whether a client is a resource server");
}

const isMcpScope = (scope: OAuthScope): scope is McpScope => (MCP_SCOPES as readonly string[]).includes(scope);

/** Nobody gives a client an MCP scope whose tools they could not use themselves where the client lives. */
export function assertUsableScopes(authority: Authority, scopes: readonly OAuthScope[], domainId: string | null): void {
  const usable = usableMcpScopes(authority, domainId);
  const above = scopes.filter((scope) => isMcpScope(scope) && !usable.includes(scope));
  if (above.length > 0) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `You cannot allow ${above.join(", ")}: your roles ${domainId === null ? "globally" : "in this domain"} do not let you use the tools of ${above.length === 1 ? "that scope" : "those scopes"}. Remove ${above.length === 1 ? "it" : "them"}, or ask an administrator who holds those permissions.`,
    });
  }
}

/**
 * Ending every grant of a client, and listing them, are the grants side's: tokens:admin and tokens:read
 * where the client lives (the same checks as the grants router's revoke-all-for-client and list).
 */
export function assertMayRevokeGrantsOf(authority: Authority, client: Pick<ClientItem, "domainId">): void {
  authorizeIn(authority, { permission: "tokens:admin", domainId: client.domainId, visibleWith: "tokens:read", notFound: CLIENT_NOT_FOUND });
}

export function assertMayViewGrantsOf(authority: Authority, client: Pick<ClientItem, "domainId">): void {
  authorizeIn(authority, { permission: "tokens:read", domainId: client.domainId, visibleWith: "tokens:read", notFound: CLIENT_NOT_FOUND });
}

/**
 * The policy is installation-wide: only a global clients:admin changes it, in the console. A token's
 * session (an MCP client acting for someone) never does, whatever the person behind it holds.
 */
export function assertMayChangeMetadataDocumentPolicy(caller: RuleCaller): void {
  if (caller.session?.id.startsWith(TOKEN_SESSION_PREFIX)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "An MCP client cannot change which client ID metadata documents Gatehouse accepts. An administrator can do it in the console.",
    });
  }
  requireGlobally(caller.authority, "clients:admin");
}

/**
 * What the console may not change on a client its metadata document describes: the document owns the
 * name, logo, redirect URIs and scopes (a later fetch would replace them), and whoever controls the
 * host could send its authorizations anywhere, so it is never trusted to skip consent or introspect.
 */
function metadataDocumentClientChangeProblem(
  client: { origin: string; name: string; metadataDocumentHost: string | null },
  change: { name?: unknown; logoUri?: unknown; redirectUris?: unknown; scopes?: unknown; skipConsent?: boolean; resourceServer?: boolean },
): string | null {
  if (client.origin !== "metadata_document") return null;
  const host = client.metadataDocumentHost ?? "its host";
  if ([change.name, change.logoUri, change.redirectUris, change.scopes].some((value) => value !== undefined)) {
    return `${client.name} is described by its client ID metadata document on ${host}: its name, logo, redirect URIs and scopes come from there. To stop it, disable the client or block ${host}.`;
  }
  if (change.skipConsent === true || change.resourceServer === true) {
    return `${client.name} is identified by a metadata document on ${host}, so whoever controls ${host} decides where its authorizations go: it cannot skip consent or introspect other clients' tokens.`;
  }
  return null;
}

/** Switching the feature on, or from a list of hosts to every host, lets clients in that were refused before. */
export function widensMode(from: MetadataDocumentMode, to: MetadataDocumentMode): boolean {
  const openness: Record<MetadataDocumentMode, number> = { off: 0, allowlist: 1, all: 2 };
  return openness[to] > openness[from];
}

// ---- Commands ----

function auditTarget(client: Pick<ClientItem, "clientId" | "domainId">) {
  return { targetType: "client", targetId: client.clientId, domainId: client.domainId } as const;
}

export async function registerClient(caller: ClientsCaller, input: z.output<typeof createClientInput>): Promise<NewClient> {
  assertMayRegisterIn(caller.authority, input.domainId);
  if (input.skipConsent) assertMayTrust(caller, "mark a client trusted");
  assertUsableScopes(caller.authority, input.scopes, input.domainId);
  return caller.db.transaction(async (tx) => {
    if (input.domainId !== null) await findDomain(tx, input.domainId);
    const created = await createClient(tx, input, {
      createdBy: caller.actor.userId,
      mcpResource: mcpResourceUrl(String(caller.auth.options.baseURL)),
    });
    await recordEvent(tx, caller.actor, {
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
      await recordEvent(tx, caller.actor, { action: "client.trusted", ...auditTarget(created.client), details: { name: created.client.name } });
    }
    return created;
  });
}

/** `current` is the client the row procedure loaded and checked clients:write on. A call that changes nothing writes nothing. */
export async function updateClient(caller: ClientsCaller, current: ClientItem, input: z.output<typeof updateClientInput>): Promise<ClientItem> {
  const documentOwned = metadataDocumentClientChangeProblem(current, input);
  if (documentOwned) throw new TRPCError({ code: "BAD_REQUEST", message: documentOwned });
  if (input.skipConsent !== undefined) assertMayChangeTrust(caller, current, input.skipConsent);
  if (input.resourceServer !== undefined && input.resourceServer !== current.resourceServer) {
    assertMayChangeResourceServer(caller, current, input.resourceServer);
    if (input.resourceServer && current.type !== "confidential") {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "Only a confidential client can introspect tokens, so only a confidential client can be a resource server.",
      });
    }
  }
  if (input.scopes) {
    assertUsableScopes(caller.authority, input.scopes.filter((scope) => !current.scopes.includes(scope)), current.domainId);
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
  return caller.db.transaction(async (tx) => {
    const updated = await writeClientUpdate(tx, current, input);
    await recordEvent(tx, caller.actor, { action: "client.updated", ...auditTarget(current), details: { before, after } });
    // A change of trust is what an auditor looks for first, so it has an event of its own.
    if ("skipConsent" in after) {
      await recordEvent(tx, caller.actor, {
        action: updated.skipConsent ? "client.trusted" : "client.untrusted",
        ...auditTarget(current),
        details: { name: updated.name },
      });
    }
    if ("resourceServer" in after) {
      await recordEvent(tx, caller.actor, {
        action: updated.resourceServer ? "client.resource_server_marked" : "client.resource_server_unmarked",
        ...auditTarget(current),
        details: { name: updated.name },
      });
    }
    return updated;
  });
}

/** Replaces a confidential client's secret and revokes its live tokens; the new secret is in the answer only. */
export async function rotateSecret(caller: ClientsCaller, client: ClientItem): Promise<{ clientId: string; clientSecret: string }> {
  if (client.type !== "confidential" || client.authMethod === "private_key_jwt") {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Only a confidential client has a secret to rotate." });
  }
  return caller.db.transaction(async (tx) => {
    const clientSecret = await rotateClientSecret(tx, client.clientId);
    const revoked = await revokeClientTokens(tx, client.clientId, "client_secret_rotated");
    await recordEvent(tx, caller.actor, { action: "client.secret_rotated", ...auditTarget(client), details: revocationDetails(revoked) });
    return { clientId: client.clientId, clientSecret };
  });
}

export async function disableClient(caller: ClientsCaller, client: ClientItem): Promise<ClientItem> {
  if (client.disabled) return client;
  return caller.db.transaction(async (tx) => {
    await setClientDisabled(tx, client.clientId, true);
    const revoked = await revokeClientTokens(tx, client.clientId, "client_disabled");
    await recordEvent(tx, caller.actor, { action: "client.disabled", ...auditTarget(client), details: { name: client.name, ...revocationDetails(revoked) } });
    return findClient(tx, client.clientId);
  });
}

/** Tokens revoked when the client was disabled stay revoked. */
export async function enableClient(caller: ClientsCaller, client: ClientItem): Promise<ClientItem> {
  if (!client.disabled) return client;
  return caller.db.transaction(async (tx) => {
    await setClientDisabled(tx, client.clientId, false);
    await recordEvent(tx, caller.actor, { action: "client.enabled", ...auditTarget(client), details: { name: client.name } });
    return findClient(tx, client.clientId);
  });
}

export async function deleteClient(caller: ClientsCaller, client: ClientItem): Promise<{ clientId: string }> {
  return caller.db.transaction((tx) => deleteClientIn(tx, caller, client));
}

/** One client's deletion inside the caller's transaction, with its audit event. */
async function deleteClientIn(tx: Executor, caller: ClientsCaller, client: ClientItem): Promise<{ clientId: string }> {
  const liveAccessTokens = await countLiveAccessTokens(tx, { clientId: client.clientId });
  await deleteClientRows(tx, client.clientId);
  await recordEvent(tx, caller.actor, {
    action: "client.deleted",
    ...auditTarget(client),
    details: { name: client.name, type: client.type, accessTokensRevoked: liveAccessTokens },
  });
  return { clientId: client.clientId };
}

/**
 * Deletes several clients in one transaction, each loaded and authorized as clients.delete does
 * (clients:delete where the client lives; one out of sight is NOT_FOUND) and with its own audit
 * event; the first client the caller may not delete refuses the whole batch, so nothing is written.
 */
export async function deleteClients(caller: ClientsCaller, clientIds: readonly string[]): Promise<{ deleted: Array<{ clientId: string }> }> {
  return caller.db.transaction(async (tx) => {
    const deleted = [];
    for (const clientId of clientIds) {
      deleted.push(
        await eachOrNothing(`Client ${clientId}`, async () => {
          const client = await loadClient(tx, clientId);
          if (!client) throw new TRPCError({ code: "NOT_FOUND", message: CLIENT_NOT_FOUND });
          assertClientPermission(caller.authority, client, "clients:delete");
          return deleteClientIn(tx, caller, client);
        }),
      );
    }
    return { deleted };
  });
}

export async function setMetadataDocumentMode(caller: ClientsCaller, mode: MetadataDocumentMode): Promise<MetadataDocumentPolicy> {
  assertMayChangeMetadataDocumentPolicy(caller);
  await caller.db.transaction((tx) => writeMetadataDocumentMode(tx, caller.actor, mode));
  return readMetadataDocumentPolicy(caller.db);
}

export async function allowMetadataHost(caller: ClientsCaller, host: string): Promise<MetadataDocumentPolicy> {
  assertMayChangeMetadataDocumentPolicy(caller);
  await caller.db.transaction((tx) => writeHostAllowed(tx, caller.actor, host));
  return readMetadataDocumentPolicy(caller.db);
}

/** Blocks the host and revokes every grant and token of its clients; the answer says how many. */
export async function blockMetadataHost(caller: ClientsCaller, host: string) {
  assertMayChangeMetadataDocumentPolicy(caller);
  const revoked = await caller.db.transaction((tx) => writeHostBlocked(tx, caller.actor, host));
  return { ...(await readMetadataDocumentPolicy(caller.db)), revoked: { clients: revoked.clients, ...revocationDetails(revoked) } };
}

export async function removeMetadataHostRule(caller: ClientsCaller, host: string): Promise<MetadataDocumentPolicy> {
  assertMayChangeMetadataDocumentPolicy(caller);
  await caller.db.transaction((tx) => writeHostRuleRemoved(tx, caller.actor, host));
  return readMetadataDocumentPolicy(caller.db);
}

// ---- Row writes ----

export interface NewClient {
  client: ClientItem;
  /** Only for confidential clients, and only in this response. */
  clientSecret: string | null;
}

/**
 * The rows of a client registered in the console, with no authority check and no audit event: the
 * write `registerClient` makes, and how tests and benchmarks seed a client.
 */
export async function createClient(
  tx: Executor,
  input: z.output<typeof createClientInput>,
  context: { createdBy: string | null; mcpResource: string },
): Promise<NewClient> {
  const now = new Date();
  const clientId = generateRandomString(32, "a-z", "A-Z", "0-9");
  const confidential = input.type === "confidential";
  const secret = confidential ? newClientSecret() : null;
  await tx.insert(oauthClient).values({
    id: randomUUID(),
    clientId,
    clientSecret: secret?.stored ?? null,
    name: input.name,
    icon: input.logoUri || null,
    redirectUris: input.redirectUris,
    scopes: input.scopes,
    tokenEndpointAuthMethod: confidential ? input.authMethod : "none",
    applicationType: applicationTypeFor(input.redirectUris),
    grantTypes: confidential ? ["authorization_code", "refresh_token", "client_credentials"] : ["authorization_code", "refresh_token"],
    clientCredentialsScopes: confidential ? input.scopes.filter((scope) => scope.startsWith("mcp:")) : [],
    responseTypes: ["code"],
    requirePKCE: true,
    skipConsent: input.skipConsent,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  });
  await tx.insert(oauthClientResource).values({ id: randomUUID(), clientId, resourceId: context.mcpResource, createdAt: now });
  await tx.insert(clientRegistration).values({ clientId, domainId: input.domainId, origin: "console", createdBy: context.createdBy });
  return { client: await findClient(tx, clientId), clientSecret: secret?.secret ?? null };
}

async function writeClientUpdate(tx: Executor, current: ClientItem, input: z.output<typeof updateClientInput>): Promise<ClientItem> {
  const redirectUris = input.redirectUris ?? current.redirectUris;
  await tx
    .update(oauthClient)
    .set({
      name: input.name ?? current.name,
      redirectUris,
      applicationType: applicationTypeFor(redirectUris),
      scopes: input.scopes ?? current.scopes,
      skipConsent: input.skipConsent ?? current.skipConsent,
      icon: input.logoUri === undefined ? current.logoUri : input.logoUri || null,
      updatedAt: new Date(),
    })
    .where(eq(oauthClient.clientId, current.clientId));
  if (input.resourceServer !== undefined && input.resourceServer !== current.resourceServer) {
    await setClientResourceServer(tx, current, input.resourceServer);
  }
  return findClient(tx, current.clientId);
}

async function setClientResourceServer(tx: Executor, client: ClientItem, resourceServer: boolean): Promise<void> {
  await tx
    .insert(clientRegistration)
    .values({ clientId: client.clientId, domainId: client.domainId, origin: client.origin, resourceServer })
    .onConflictDoUpdate({ target: clientRegistration.clientId, set: { resourceServer } });
}

/** A new secret for the client, returned once; only its hash is stored. No check, no audit: `rotateSecret` is the command. */
export async function rotateClientSecret(tx: Executor, clientId: string): Promise<string> {
  const secret = newClientSecret();
  await tx.update(oauthClient).set({ clientSecret: secret.stored, updatedAt: new Date() }).where(eq(oauthClient.clientId, clientId));
  return secret.secret;
}

/** No check, no audit: `disableClient` and `enableClient` are the commands. */
export async function setClientDisabled(tx: Executor, clientId: string, disabled: boolean): Promise<void> {
  await tx.update(oauthClient).set({ disabled, updatedAt: new Date() }).where(eq(oauthClient.clientId, clientId));
}

const policyTarget = { targetType: "installation_setting", targetId: METADATA_DOCUMENT_SETTING } as const;
const hostTarget = (host: string) => ({ targetType: "metadata_document_host", targetId: host }) as const;

async function writeMetadataDocumentMode(tx: Executor, actor: AuditActor, mode: MetadataDocumentMode): Promise<MetadataDocumentMode> {
  const before = await readMetadataDocumentMode(tx);
  if (before === mode) return mode;
  const now = new Date();
  await tx
    .insert(installationSetting)
    .values({ key: METADATA_DOCUMENT_SETTING, value: { mode }, updatedAt: now, updatedBy: actor.userId })
    .onConflictDoUpdate({ target: installationSetting.key, set: { value: { mode }, updatedAt: now, updatedBy: actor.userId } });
  await recordEvent(tx, actor, { action: "client.metadata_documents_mode_changed", ...policyTarget, details: { before, after: mode } });
  return mode;
}

async function writeHostAllowed(tx: Executor, actor: AuditActor, host: string): Promise<void> {
  const before = await readHostRule(tx, host);
  if (before === "allow") return;
  await tx
    .insert(metadataDocumentHost)
    .values({ host, rule: "allow", createdBy: actor.userId })
    .onConflictDoUpdate({ target: metadataDocumentHost.host, set: { rule: "allow", createdAt: new Date(), createdBy: actor.userId } });
  await recordEvent(tx, actor, { action: "client.metadata_host_allowed", ...hostTarget(host), details: { host, before } });
}

/**
 * Blocks a host and ends everything its clients hold: remembered consents, refresh tokens and access
 * tokens, for every user, in the same transaction. The clients stay listed, refused at every lookup.
 */
async function writeHostBlocked(tx: Executor, actor: AuditActor, host: string): Promise<RevocationCounts & { clients: number }> {
  const before = await readHostRule(tx, host);
  if (before !== "block") {
    await tx
      .insert(metadataDocumentHost)
      .values({ host, rule: "block", createdBy: actor.userId })
      .onConflictDoUpdate({ target: metadataDocumentHost.host, set: { rule: "block", createdAt: new Date(), createdBy: actor.userId } });
  }
  const clientIds = await clientIdsOnHost(tx, host);
  const revoked: RevocationCounts = { accessTokens: 0, refreshTokens: 0, consents: 0 };
  for (const clientId of clientIds) {
    const tokens = await revokeClientTokens(tx, clientId, "metadata_host_blocked");
    const { consents } = await revokeGrants(tx, { clientId }, "metadata_host_blocked");
    revoked.accessTokens += tokens.accessTokens;
    revoked.refreshTokens += tokens.refreshTokens;
    revoked.consents += consents;
  }
  await recordEvent(tx, actor, {
    action: "client.metadata_host_blocked",
    ...hostTarget(host),
    details: { host, before, clients: clientIds.length, ...revocationDetails(revoked) },
  });
  return { ...revoked, clients: clientIds.length };
}

async function writeHostRuleRemoved(tx: Executor, actor: AuditActor, host: string): Promise<void> {
  const before = await readHostRule(tx, host);
  if (!before) return;
  await tx.delete(metadataDocumentHost).where(eq(metadataDocumentHost.host, host));
  await recordEvent(tx, actor, { action: "client.metadata_host_rule_removed", ...hostTarget(host), details: { host, rule: before } });
}

/** The clients identified by documents on `host`. */
async function clientIdsOnHost(db: Executor, host: string): Promise<string[]> {
  const rows = await db
    .select({ clientId: clientRegistration.clientId })
    .from(clientRegistration)
    .where(eq(clientRegistration.origin, "metadata_document"));
  return rows.map(({ clientId }) => clientId).filter((clientId) => hostOfClientId(clientId) === host);
}
