import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { generateRandomString } from "better-auth/crypto";
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import {
  CLIENT_ORIGINS,
  clientRegistration,
  domain,
  oauthAccessToken,
  oauthClient,
  oauthClientResource,
  oauthRefreshToken,
  type ClientOrigin,
} from "@/db/schema";
import type { PermissionScope } from "@/server/authz/authority";
import { cursorInputSchema, decodeCursor, encodeCursor } from "@/server/paging";
import { OAUTH_SCOPES, type OAuthScope } from "@/server/shared/scopes";
import { storedSecretHash } from "./config";
import { revokeIssuedAccessTokens } from "./issued-tokens";
import { isLoopbackRedirectUri } from "@/server/loopback";
import { isPublicHttpsUrl } from "./public-url";
import { redirectUriProblem } from "./redirect-uris";
import { storedStringArray } from "./stored";

export const CLIENT_NOT_FOUND = "Client not found.";
export const CLIENT_TYPES = ["public", "confidential"] as const;
/** How a confidential client sends its secret; the provider holds each client to the one it registered. */
export const SECRET_AUTH_METHODS = ["client_secret_basic", "client_secret_post"] as const;
/** private_key_jwt: only clients identified by a metadata document, which publish their keys at a jwks_uri. */
export type TokenEndpointAuthMethod = "none" | (typeof SECRET_AUTH_METHODS)[number] | "private_key_jwt";
export type ClientType = (typeof CLIENT_TYPES)[number];

const redirectUriSchema = z
  .string("Give a redirect URI.")
  .trim()
  .min(1, "Give a redirect URI.")
  .max(2000, "A redirect URI is at most 2000 characters.")
  .superRefine((value, ctx) => {
    const problem = redirectUriProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const redirectUrisSchema = z
  .array(redirectUriSchema)
  .min(1, "Give at least one redirect URI.")
  .max(20, "A client has at most 20 redirect URIs.")
  .transform((uris) => [...new Set(uris)])
  .describe("Where the authorization server may send the user back; matched exactly (loopback URIs may use any port).");

const scopesSchema = z
  .array(z.enum(OAUTH_SCOPES, `A scope is one of: ${OAUTH_SCOPES.join(", ")}.`))
  .min(1, "Allow at least one scope.")
  .transform((scopes) => OAUTH_SCOPES.filter((scope) => scopes.includes(scope)))
  .describe("The scopes the client may ask for.");

const clientNameSchema = z
  .string("Give the client a name.")
  .trim()
  .min(1, "Give the client a name.")
  .max(100, "A client name is at most 100 characters.")
  .describe("The name users see on the consent page.");

const logoUriSchema = z
  .union([
    z.literal(""),
    z
      .url({ protocol: /^https$/, error: "A logo URL must be an https URL." })
      .max(2000, "A logo URL is at most 2000 characters.")
      .refine(isPublicHttpsUrl, "A logo URL must be on a public host name, not an IP address or an internal name."),
  ])
  .optional()
  .describe("An https URL of the client's logo, shown on the consent page; empty to remove it.");

const clientIdSchema = z.string("Give a client id.").min(1, "Give a client id.").max(200).describe("The OAuth client_id.");

export const clientIdInput = z.object({ clientId: clientIdSchema });

export const createClientInput = z.object({
  name: clientNameSchema,
  type: z.enum(CLIENT_TYPES, 'The type is "public" or "confidential".').describe(
    "public: a browser, desktop or CLI app that cannot keep a secret (PKCE only); confidential: a server that authenticates with a client secret.",
  ),
  redirectUris: redirectUrisSchema,
  scopes: scopesSchema,
  authMethod: z
    .enum(SECRET_AUTH_METHODS, 'The authentication method is "client_secret_basic" or "client_secret_post".')
    .default("client_secret_basic")
    .describe("For a confidential client: send the secret in an HTTP Basic header (client_secret_basic) or in the form (client_secret_post)."),
  domainId: z
    .string()
    .min(1)
    .max(100)
    .nullable()
    .default(null)
    .describe("The domain that owns the client; null for an installation-wide client (needs clients:write globally)."),
  skipConsent: z
    .boolean()
    .default(false)
    .describe("A trusted first-party client whose users are not asked for consent; needs clients:admin globally and a recent sign-in."),
  logoUri: logoUriSchema,
});

export const updateClientInput = z.object({
  clientId: clientIdSchema,
  name: clientNameSchema.optional(),
  redirectUris: redirectUrisSchema.optional(),
  scopes: scopesSchema.optional(),
  skipConsent: z
    .boolean()
    .optional()
    .describe("Mark the client as trusted first-party (needs clients:admin globally and a recent sign-in), or unmark it (clients:admin)."),
  resourceServer: z
    .boolean()
    .optional()
    .describe(
      "Mark or unmark a confidential client as a resource server, which may introspect tokens issued to other clients; needs clients:admin globally.",
    ),
  logoUri: logoUriSchema,
});

export const listClientsInput = z
  .object({
    domainId: z.string().min(1).max(100).optional().describe("Only clients owned by this domain."),
    type: z.enum(CLIENT_TYPES).optional().describe("Only public or only confidential clients."),
    status: z.enum(["active", "disabled"]).optional().describe("Only enabled or only disabled clients."),
    origin: z
      .enum(CLIENT_ORIGINS)
      .optional()
      .describe("Only clients registered in the console (console), by dynamic registration (dynamic), or identified by a client ID metadata document (metadata_document)."),
    search: z.string().trim().max(100, "Search for at most 100 characters.").optional().describe("Part of the name or client_id."),
    cursor: cursorInputSchema,
    limit: z.number().int().min(1).max(100).default(50).describe("How many clients per page, 1 to 100 (default 50)."),
  })
  .prefault({});

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

function toClientItem(row: ClientRow): ClientItem {
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

function selectClients(db: Executor) {
  return db
    .select(clientColumns)
    .from(oauthClient)
    .leftJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
    .leftJoin(domain, eq(domain.id, clientRegistration.domainId));
}

/** The client, if it exists; callers check the domain against the caller's grants. */
export async function findClient(db: Executor, clientId: string): Promise<ClientItem> {
  const [row] = await selectClients(db).where(eq(oauthClient.clientId, clientId)).limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: CLIENT_NOT_FOUND });
  return toClientItem(row);
}

/** Clients in a scope: everything for a global holder, otherwise clients owned by the scope's domains. */
export function clientInScope(scope: PermissionScope): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.domainIds.length === 0) return sql`0`;
  return inArray(clientRegistration.domainId, scope.domainIds);
}

const clientCursor = z.object({ createdAt: z.number(), clientId: z.string() });

export async function listClients(db: Executor, scope: PermissionScope, input: z.output<typeof listClientsInput>) {
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
  if (input.cursor) {
    const after = decodeCursor(input.cursor, clientCursor);
    const at = new Date(after.createdAt);
    conditions.push(or(lt(oauthClient.createdAt, at), and(eq(oauthClient.createdAt, at), lt(oauthClient.clientId, after.clientId))));
  }
  const rows = await selectClients(db)
    .where(and(...conditions))
    .orderBy(desc(oauthClient.createdAt), desc(oauthClient.clientId))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit).map(toClientItem);
  const last = page.at(-1);
  return {
    items: page,
    nextCursor:
      rows.length > input.limit && last ? encodeCursor({ createdAt: last.createdAt.getTime(), clientId: last.clientId }) : null,
  };
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

export interface NewClient {
  client: ClientItem;
  /** Only for confidential clients, and only in this response. */
  clientSecret: string | null;
}

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

export async function updateClient(tx: Executor, current: ClientItem, input: z.output<typeof updateClientInput>) {
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

export async function setClientResourceServer(tx: Executor, client: ClientItem, resourceServer: boolean): Promise<void> {
  await tx
    .insert(clientRegistration)
    .values({ clientId: client.clientId, domainId: client.domainId, origin: client.origin, resourceServer })
    .onConflictDoUpdate({ target: clientRegistration.clientId, set: { resourceServer } });
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

export async function rotateClientSecret(tx: Executor, clientId: string): Promise<string> {
  const secret = newClientSecret();
  await tx.update(oauthClient).set({ clientSecret: secret.stored, updatedAt: new Date() }).where(eq(oauthClient.clientId, clientId));
  return secret.secret;
}

export async function setClientDisabled(tx: Executor, clientId: string, disabled: boolean): Promise<void> {
  await tx.update(oauthClient).set({ disabled, updatedAt: new Date() }).where(eq(oauthClient.clientId, clientId));
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
