import { TRPCError } from "@trpc/server";
import { generateRandomString } from "better-auth/crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clientRegistration, domain, oauthAccessToken, oauthClient, oauthRefreshToken, type ClientOrigin } from "@/db/schema";
import { isLoopbackRedirectUri } from "@/server/loopback";
import { OAUTH_SCOPES, type OAuthScope } from "@/server/shared/scopes";
import { storedSecretHash } from "./config";
import { revokeIssuedAccessTokens } from "./issued-tokens";
import { storedStringArray } from "./stored";

/**
 * OAuth clients as the authorization server and the console both see them: one row shape, how to
 * read one, and what ends their tokens. Registering and changing clients in the console lives in
 * server/clients.
 */

export const CLIENT_NOT_FOUND = "Client not found.";
export const CLIENT_TYPES = ["public", "confidential"] as const;
/** How a confidential client sends its secret; the provider holds each client to the one it registered. */
export const SECRET_AUTH_METHODS = ["client_secret_basic", "client_secret_post"] as const;
/** private_key_jwt: only clients identified by a metadata document, which publish their keys at a jwks_uri. */
export type TokenEndpointAuthMethod = "none" | (typeof SECRET_AUTH_METHODS)[number] | "private_key_jwt";
export type ClientType = (typeof CLIENT_TYPES)[number];

export interface ClientItem {
  clientId: string;
  name: string;
  type: ClientType;
  authMethod: TokenEndpointAuthMethod;
  redirectUris: string[];
  scopes: OAuthScope[];
  domainId: string | null;
  domainName: string | null;
  origin: ClientOrigin;
  disabled: boolean;
  skipConsent: boolean;
  /** May introspect tokens issued to other clients; any other client introspects only its own. */
  resourceServer: boolean;
  logoUri: string | null;
  /** For a client identified by a client ID metadata document: the host of its client_id URL, which vouches for it. */
  metadataDocumentHost: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The host of a metadata-document client's https client_id. */
function clientIdHost(clientId: string): string | null {
  try {
    return new URL(clientId).hostname.toLowerCase();
  } catch {
    return null;
  }
}

const clientColumns = {
  clientId: oauthClient.clientId,
  name: oauthClient.name,
  tokenEndpointAuthMethod: oauthClient.tokenEndpointAuthMethod,
  redirectUris: oauthClient.redirectUris,
  scopes: oauthClient.scopes,
  disabled: oauthClient.disabled,
  skipConsent: oauthClient.skipConsent,
  icon: oauthClient.icon,
  createdAt: oauthClient.createdAt,
  updatedAt: oauthClient.updatedAt,
  domainId: clientRegistration.domainId,
  domainName: domain.name,
  origin: clientRegistration.origin,
  resourceServer: clientRegistration.resourceServer,
};

type ClientRow = {
  clientId: string;
  name: string | null;
  tokenEndpointAuthMethod: string | null;
  redirectUris: unknown;
  scopes: unknown;
  disabled: boolean | null;
  skipConsent: boolean | null;
  icon: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  domainId: string | null;
  domainName: string | null;
  origin: ClientOrigin | null;
  resourceServer: boolean | null;
};

export function toClientItem(row: ClientRow): ClientItem {
  const created = row.createdAt ?? new Date(0);
  return {
    clientId: row.clientId,
    name: row.name ?? row.clientId,
    type: row.tokenEndpointAuthMethod === "none" ? "public" : "confidential",
    authMethod:
      row.tokenEndpointAuthMethod === "none" ||
      row.tokenEndpointAuthMethod === "client_secret_post" ||
      row.tokenEndpointAuthMethod === "private_key_jwt"
        ? row.tokenEndpointAuthMethod
        : "client_secret_basic",
    redirectUris: storedStringArray(row.redirectUris),
    scopes: OAUTH_SCOPES.filter((scope) => storedStringArray(row.scopes).includes(scope)),
    domainId: row.domainId,
    domainName: row.domainName,
    // A client with no registration row was created outside the console and the DCR endpoint.
    origin: row.origin ?? "dynamic",
    disabled: Boolean(row.disabled),
    skipConsent: Boolean(row.skipConsent),
    resourceServer: Boolean(row.resourceServer),
    logoUri: row.icon,
    metadataDocumentHost: row.origin === "metadata_document" ? clientIdHost(row.clientId) : null,
    createdAt: created,
    updatedAt: row.updatedAt ?? created,
  };
}

export function selectClients(db: Executor) {
  return db
    .select(clientColumns)
    .from(oauthClient)
    .leftJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
    .leftJoin(domain, eq(domain.id, clientRegistration.domainId));
}

/** The client, or undefined when no client has this id; callers check its domain against the caller's authority. */
export async function loadClient(db: Executor, clientId: string): Promise<ClientItem | undefined> {
  const [row] = await selectClients(db).where(eq(oauthClient.clientId, clientId)).limit(1);
  return row ? toClientItem(row) : undefined;
}

/** The client, or NOT_FOUND; callers check its domain against the caller's authority. */
export async function findClient(db: Executor, clientId: string): Promise<ClientItem> {
  const client = await loadClient(db, clientId);
  if (!client) throw new TRPCError({ code: "NOT_FOUND", message: CLIENT_NOT_FOUND });
  return client;
}

/** A client secret is shown once; only its hash is stored, the way the provider verifies it. */
export function newClientSecret(): { secret: string; stored: string } {
  const secret = generateRandomString(48, "a-z", "A-Z", "0-9");
  return { secret, stored: storedSecretHash(secret) };
}

/**
 * Loopback-only clients are native apps (RFC 8252), which the provider lets vary the port; anything
 * with an https redirect is a web app.
 */
export function applicationTypeFor(redirectUris: readonly string[]): "native" | "web" {
  return redirectUris.every((uri) => isLoopbackRedirectUri(uri) || !/^https?:/.test(uri)) ? "native" : "web";
}

/** Ends every grant the client holds: its refresh tokens, opaque access tokens and JWT access tokens. */
export async function revokeClientTokens(tx: Executor, clientId: string, reason: string): Promise<{ accessTokens: number; refreshTokens: number }> {
  const now = new Date();
  const accessTokens = await revokeIssuedAccessTokens(tx, { clientId }, reason, now);
  const refresh = await tx
    .update(oauthRefreshToken)
    .set({ revoked: now })
    .where(and(eq(oauthRefreshToken.clientId, clientId), isNull(oauthRefreshToken.revoked)))
    .returning({ id: oauthRefreshToken.id });
  await tx.delete(oauthAccessToken).where(eq(oauthAccessToken.clientId, clientId));
  return { accessTokens, refreshTokens: refresh.length };
}

/** Deleting the row cascades to its consents, refresh tokens, ledger rows and registration. */
export async function deleteClient(tx: Executor, clientId: string): Promise<void> {
  await tx.delete(oauthClient).where(eq(oauthClient.clientId, clientId));
}

export async function countDomainClients(db: Executor, domainId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)` })
    .from(clientRegistration)
    .where(eq(clientRegistration.domainId, domainId));
  return row?.count ?? 0;
}

/** Domain deletion takes the domain's clients (and so their tokens) with it. */
export async function deleteDomainClients(tx: Executor, domainId: string): Promise<string[]> {
  const owned = await tx
    .select({ clientId: clientRegistration.clientId })
    .from(clientRegistration)
    .where(eq(clientRegistration.domainId, domainId));
  const clientIds = owned.map(({ clientId }) => clientId);
  if (clientIds.length > 0) await tx.delete(oauthClient).where(inArray(oauthClient.clientId, clientIds));
  return clientIds;
}
