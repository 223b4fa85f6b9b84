import { randomUUID, timingSafeEqual } from "node:crypto";
import { generateRandomString } from "better-auth/crypto";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clientRegistration, oauthClient, oauthClientResource } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import { applicationTypeFor, deleteClient, newClientSecret } from "./clients";
import { OAUTH_SCOPES, type OAuthScope } from "@/server/shared/scopes";
import { REGISTRATION_DEFAULT_SCOPES, storedSecretHash, type RegistrationPolicy } from "./config";
import { countLiveAccessTokens } from "./issued-tokens";
import { redirectUriProblem } from "./redirect-uris";
import { registrationProblem, type RegistrationProblem } from "./registration-limits";
import { storedStringArray } from "./stored";

/** How a self-registered client authenticates at the token endpoint. */
const REGISTRATION_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"] as const;
type RegistrationAuthMethod = (typeof REGISTRATION_AUTH_METHODS)[number];

const REGISTRATION_GRANT_TYPES = ["authorization_code", "refresh_token"] as const;
type RegistrationGrantType = (typeof REGISTRATION_GRANT_TYPES)[number];

/** RFC 7591 §2 defaults, except `grant_types`: MCP clients need refresh tokens, so a registration that names none gets both. */
const DEFAULT_AUTH_METHOD: RegistrationAuthMethod = "client_secret_basic";
const DEFAULT_GRANT_TYPES: readonly RegistrationGrantType[] = REGISTRATION_GRANT_TYPES;

const TEXT_FIELDS = ["client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version"] as const;

/** What Gatehouse stores of a registration; anything else a client sends is ignored (RFC 7591 §2). */
export interface ClientMetadata {
  redirectUris: string[];
  authMethod: RegistrationAuthMethod;
  grantTypes: RegistrationGrantType[];
  applicationType: "web" | "native";
  /** What the client may ask for: every scope when it named one of ours (see REGISTRATION_DEFAULT_SCOPES), else the defaults. */
  scopes: OAuthScope[];
  name: string | null;
  uri: string | null;
  logoUri: string | null;
  tosUri: string | null;
  policyUri: string | null;
  softwareId: string | null;
  softwareVersion: string | null;
  contacts: string[] | null;
}

export type MetadataCheck = { ok: true; metadata: ClientMetadata } | { ok: false; problem: RegistrationProblem };

const refuse = (error: RegistrationProblem["error"], description: string): MetadataCheck => ({ ok: false, problem: { error, description } });
const metadataProblem = (description: string) => refuse("invalid_client_metadata", description);

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : null;
}

/**
 * Reads an RFC 7591 registration (or an RFC 7592 update) the way Gatehouse will store it, or says
 * which rule it breaks. The descriptions name the field and the rule, never the value sent.
 *
 * `current` is the registration being updated: a client may not change how it authenticates (a
 * public client would need a secret it was never given), and an update that leaves out `scope`
 * keeps the scopes it has.
 */
export function checkClientMetadata(body: unknown, policy: RegistrationPolicy, current?: { authMethod: RegistrationAuthMethod; scopes: OAuthScope[] }): MetadataCheck {
  if (!body || typeof body !== "object" || Array.isArray(body)) return metadataProblem("Send the client metadata as a JSON object.");
  const fields = body as Record<string, unknown>;
  const bounds = registrationProblem(fields);
  if (bounds) return { ok: false, problem: bounds };

  const redirectUris = stringList(fields.redirect_uris);
  if (!redirectUris || redirectUris.length === 0) {
    return refuse("invalid_redirect_uri", "Register at least one redirect URI in redirect_uris, a list of strings.");
  }
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) return refuse("invalid_redirect_uri", problem);
  }

  const requestedMethod = fields.token_endpoint_auth_method ?? current?.authMethod ?? DEFAULT_AUTH_METHOD;
  if (!REGISTRATION_AUTH_METHODS.includes(requestedMethod as RegistrationAuthMethod)) {
    return metadataProblem("token_endpoint_auth_method must be none, client_secret_basic or client_secret_post.");
  }
  const authMethod = requestedMethod as RegistrationAuthMethod;
  if (current && authMethod !== current.authMethod) {
    return metadataProblem("token_endpoint_auth_method cannot change: register a new client to authenticate differently.");
  }
  if (!current && policy === "public-only" && authMethod !== "none") {
    return metadataProblem('This server registers public clients only: send token_endpoint_auth_method "none" and use PKCE.');
  }

  const grantTypes = fields.grant_types === undefined ? [...DEFAULT_GRANT_TYPES] : stringList(fields.grant_types);
  if (!grantTypes || grantTypes.length === 0) return metadataProblem("grant_types must be a non-empty list of strings.");
  if (grantTypes.includes("client_credentials")) {
    return metadataProblem(
      "A client that registers itself cannot use client_credentials. Ask an administrator to create a confidential client in the Gatehouse console.",
    );
  }
  if (!grantTypes.every((grant) => REGISTRATION_GRANT_TYPES.includes(grant as RegistrationGrantType))) {
    return metadataProblem("grant_types may contain authorization_code and refresh_token only.");
  }
  if (!grantTypes.includes("authorization_code")) return metadataProblem("grant_types must include authorization_code.");

  if (fields.response_types !== undefined) {
    const responseTypes = stringList(fields.response_types);
    if (!responseTypes || responseTypes.length === 0 || !responseTypes.every((type) => type === "code")) {
      return metadataProblem('response_types may contain "code" only.');
    }
  }
  if (fields.application_type !== undefined && fields.application_type !== "web" && fields.application_type !== "native") {
    return metadataProblem('application_type must be "web" or "native".');
  }
  if (fields.require_pkce === false) return metadataProblem("Every client uses PKCE: leave out require_pkce or set it to true.");

  for (const name of TEXT_FIELDS) {
    if (fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== "string") return metadataProblem(`${name} must be a string.`);
  }
  if (fields.contacts !== undefined && !stringList(fields.contacts)) return metadataProblem("contacts must be a list of strings.");

  if (fields.scope !== undefined && typeof fields.scope !== "string") return metadataProblem("scope must be a string of space-separated scopes.");
  // Scopes this server does not have grant nothing, so they are left out rather than refused (RFC 7591
  // §3.2.1 lets the server replace requested values): clients send whatever another server offered.
  const requestedScopes = typeof fields.scope === "string" ? fields.scope.split(/\s+/) : [];
  const namesOurScopes = requestedScopes.some((scope) => (OAUTH_SCOPES as readonly string[]).includes(scope));
  let scopes: OAuthScope[];
  if (namesOurScopes) scopes = [...OAUTH_SCOPES];
  else scopes = current ? current.scopes : [...REGISTRATION_DEFAULT_SCOPES];

  const text = (name: (typeof TEXT_FIELDS)[number]) => (typeof fields[name] === "string" && fields[name] !== "" ? (fields[name] as string) : null);
  const uniqueRedirects = [...new Set(redirectUris)];
  return {
    ok: true,
    metadata: {
      redirectUris: uniqueRedirects,
      authMethod,
      grantTypes: REGISTRATION_GRANT_TYPES.filter((grant) => grantTypes.includes(grant)),
      applicationType: (fields.application_type as "web" | "native" | undefined) ?? applicationTypeFor(uniqueRedirects),
      scopes,
      name: text("client_name"),
      uri: text("client_uri"),
      logoUri: text("logo_uri"),
      tosUri: text("tos_uri"),
      policyUri: text("policy_uri"),
      softwareId: text("software_id"),
      softwareVersion: text("software_version"),
      contacts: stringList(fields.contacts),
    },
  };
}

/** RFC 7592 §2: where a client reads, updates and deletes its registration, under the issuer. */
export function registrationClientUri(issuer: string, clientId: string): string {
  return `${issuer}/oauth2/register/${encodeURIComponent(clientId)}`;
}

function newRegistrationAccessToken(): { token: string; stored: string } {
  const token = generateRandomString(48, "a-z", "A-Z", "0-9");
  return { token, stored: storedSecretHash(token) };
}

const registrationColumns = {
  clientId: oauthClient.clientId,
  clientSecret: oauthClient.clientSecret,
  name: oauthClient.name,
  uri: oauthClient.uri,
  icon: oauthClient.icon,
  contacts: oauthClient.contacts,
  tos: oauthClient.tos,
  policy: oauthClient.policy,
  softwareId: oauthClient.softwareId,
  softwareVersion: oauthClient.softwareVersion,
  redirectUris: oauthClient.redirectUris,
  scopes: oauthClient.scopes,
  tokenEndpointAuthMethod: oauthClient.tokenEndpointAuthMethod,
  grantTypes: oauthClient.grantTypes,
  applicationType: oauthClient.applicationType,
  createdAt: oauthClient.createdAt,
  origin: clientRegistration.origin,
  registrationAccessTokenHash: clientRegistration.registrationAccessTokenHash,
};

export type StoredRegistration = {
  clientId: string;
  clientSecret: string | null;
  name: string | null;
  uri: string | null;
  icon: string | null;
  contacts: unknown;
  tos: string | null;
  policy: string | null;
  softwareId: string | null;
  softwareVersion: string | null;
  redirectUris: unknown;
  scopes: unknown;
  tokenEndpointAuthMethod: string | null;
  grantTypes: unknown;
  applicationType: string | null;
  createdAt: Date | null;
  origin: string;
  registrationAccessTokenHash: string | null;
};

export function storedAuthMethod(row: Pick<StoredRegistration, "tokenEndpointAuthMethod">): RegistrationAuthMethod {
  const method = row.tokenEndpointAuthMethod ?? DEFAULT_AUTH_METHOD;
  return REGISTRATION_AUTH_METHODS.includes(method as RegistrationAuthMethod) ? (method as RegistrationAuthMethod) : DEFAULT_AUTH_METHOD;
}

export function storedScopes(row: Pick<StoredRegistration, "scopes">): OAuthScope[] {
  return storedStringArray(row.scopes).filter((scope): scope is OAuthScope => (OAUTH_SCOPES as readonly string[]).includes(scope));
}

/**
 * The RFC 7591 §3.2.1 client information response: what is registered, with the RFC 7592 fields.
 * The client secret and the registration access token exist in clear only in the response that
 * created them.
 */
export function registrationResponse(
  row: StoredRegistration,
  issuer: string,
  created?: { clientSecret: string | null; registrationAccessToken: string },
): Record<string, unknown> {
  const contacts = storedStringArray(row.contacts);
  const optional: Record<string, unknown> = {
    client_name: row.name,
    client_uri: row.uri,
    logo_uri: row.icon,
    tos_uri: row.tos,
    policy_uri: row.policy,
    software_id: row.softwareId,
    software_version: row.softwareVersion,
    contacts: contacts.length > 0 ? contacts : null,
  };
  const confidential = storedAuthMethod(row) !== "none";
  return {
    client_id: row.clientId,
    client_id_issued_at: Math.floor((row.createdAt?.getTime() ?? Date.now()) / 1000),
    ...(created?.clientSecret ? { client_secret: created.clientSecret } : {}),
    // RFC 7591 §3.2.1: required whenever the client has a secret; 0 means it does not expire.
    ...(confidential ? { client_secret_expires_at: 0 } : {}),
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== null)),
    redirect_uris: storedStringArray(row.redirectUris),
    token_endpoint_auth_method: storedAuthMethod(row),
    grant_types: storedStringArray(row.grantTypes),
    response_types: ["code"],
    application_type: row.applicationType ?? "web",
    scope: storedScopes(row).join(" "),
    registration_client_uri: registrationClientUri(issuer, row.clientId),
    ...(created ? { registration_access_token: created.registrationAccessToken } : {}),
  };
}

export async function findRegistration(db: Executor, clientId: string): Promise<StoredRegistration | undefined> {
  const [row] = await db
    .select(registrationColumns)
    .from(oauthClient)
    .innerJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
    .where(eq(oauthClient.clientId, clientId))
    .limit(1);
  return row;
}

/**
 * The registration a bearer registration access token manages: only a dynamically registered
 * client has one, and the token must be the one issued to this client id. Hashes are compared in
 * constant time.
 */
export async function registrationForToken(db: Executor, clientId: string, token: string): Promise<StoredRegistration | null> {
  const row = await findRegistration(db, clientId);
  if (!row?.registrationAccessTokenHash || row.origin !== "dynamic") return null;
  const presented = Buffer.from(storedSecretHash(token));
  const stored = Buffer.from(row.registrationAccessTokenHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored) ? row : null;
}

function metadataColumns(metadata: ClientMetadata) {
  return {
    name: metadata.name,
    uri: metadata.uri,
    icon: metadata.logoUri,
    tos: metadata.tosUri,
    policy: metadata.policyUri,
    softwareId: metadata.softwareId,
    softwareVersion: metadata.softwareVersion,
    contacts: metadata.contacts,
    redirectUris: metadata.redirectUris,
    scopes: metadata.scopes,
    grantTypes: metadata.grantTypes,
    responseTypes: ["code"],
    applicationType: metadata.applicationType,
  };
}

/** What the audit log keeps of a registration: its name, where it redirects, how it authenticates, what it asks for. */
function auditedMetadata({ name, redirectUris, authMethod, grantTypes, scopes }: ClientMetadata) {
  return { name, redirectUris, tokenEndpointAuthMethod: authMethod, grantTypes, scope: scopes.join(" ") };
}

/**
 * RFC 7591: a new client, linked to the MCP resource, with a registration access token for RFC 7592
 * and (for a confidential client) a secret, both stored hashed. Never trusted, never in a domain.
 */
export async function createRegistration(
  tx: Executor,
  metadata: ClientMetadata,
  context: { issuer: string; mcpResource: string; actor: Omit<AuditActor, "clientId"> },
): Promise<Record<string, unknown>> {
  const now = new Date();
  const clientId = generateRandomString(32, "a-z", "A-Z", "0-9");
  const secret = metadata.authMethod === "none" ? null : newClientSecret();
  const registrationToken = newRegistrationAccessToken();
  await tx.insert(oauthClient).values({
    id: randomUUID(),
    clientId,
    clientSecret: secret?.stored ?? null,
    ...metadataColumns(metadata),
    tokenEndpointAuthMethod: metadata.authMethod,
    clientCredentialsScopes: [],
    requirePKCE: true,
    skipConsent: false,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  });
  await tx.insert(oauthClientResource).values({ id: randomUUID(), clientId, resourceId: context.mcpResource, createdAt: now });
  await tx.insert(clientRegistration).values({
    clientId,
    domainId: null,
    origin: "dynamic",
    createdBy: null,
    registrationAccessTokenHash: registrationToken.stored,
  });
  await recordEvent(tx, { ...context.actor, clientId }, {
    action: "client.registered",
    targetType: "client",
    targetId: clientId,
    details: { origin: "dynamic", ...auditedMetadata(metadata) },
  });
  const row = await findRegistration(tx, clientId);
  return registrationResponse(row!, context.issuer, { clientSecret: secret?.secret ?? null, registrationAccessToken: registrationToken.token });
}

/** RFC 7592 §2.2: the registration becomes what the client sent; the client id, secret and authentication method stay. */
export async function updateRegistration(
  tx: Executor,
  current: StoredRegistration,
  metadata: ClientMetadata,
  context: { issuer: string; actor: AuditActor },
): Promise<Record<string, unknown>> {
  await tx
    .update(oauthClient)
    .set({ ...metadataColumns(metadata), updatedAt: new Date() })
    .where(eq(oauthClient.clientId, current.clientId));
  const before = {
    name: current.name,
    redirectUris: storedStringArray(current.redirectUris),
    tokenEndpointAuthMethod: storedAuthMethod(current),
    grantTypes: storedStringArray(current.grantTypes),
    scope: storedScopes(current).join(" "),
  };
  const after = auditedMetadata(metadata);
  const changed = (Object.keys(after) as (keyof typeof after)[]).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
  await recordEvent(tx, context.actor, {
    action: "client.updated",
    targetType: "client",
    targetId: current.clientId,
    details: {
      origin: "dynamic",
      before: Object.fromEntries(changed.map((key) => [key, before[key]])),
      after: Object.fromEntries(changed.map((key) => [key, after[key]])),
    },
  });
  const row = await findRegistration(tx, current.clientId);
  return registrationResponse(row!, context.issuer);
}

/** RFC 7592 §2.3: the client is gone with its consents and tokens, which stop working at once. */
export async function deleteRegistration(tx: Executor, current: StoredRegistration, actor: AuditActor): Promise<void> {
  const liveAccessTokens = await countLiveAccessTokens(tx, { clientId: current.clientId });
  await deleteClient(tx, current.clientId);
  await recordEvent(tx, actor, {
    action: "client.deleted",
    targetType: "client",
    targetId: current.clientId,
    details: { name: current.name, origin: "dynamic", deletedBy: "the client, with its registration access token", accessTokensRevoked: liveAccessTokens },
  });
}

/** RFC 7592 §2.2: a `client_secret` in an update must be the one the client has; it can never set its own. */
export function presentedSecretMatches(current: StoredRegistration, body: Record<string, unknown>): boolean {
  if (body.client_secret === undefined) return true;
  if (typeof body.client_secret !== "string" || !current.clientSecret) return false;
  const presented = Buffer.from(storedSecretHash(body.client_secret));
  const stored = Buffer.from(current.clientSecret);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
