import { oauthClientMetadataSchema, type OAuthClientMetadata } from "@better-auth/oauth-provider";
import { isForbiddenCimdClientMetadataField } from "@better-auth/oauth-provider/internal";
import { redirectUriProblem } from "./redirect-uris";
import { MetadataDocumentError } from "./metadata-document-fetch";
import { isInternalHostname } from "./public-url";
import { registrationProblem } from "./registration-limits";

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, the MCP authorization
 * spec's preferred client identification): the `client_id` is an https URL, and the JSON document
 * served there describes the client. This file holds the rules about the URL, the document and how
 * long a fetched document is used; metadata-document-policy.ts holds whose documents are accepted.
 */

/** The provenance the OAuth provider stores on such clients (`oauth_client.client_discovery_id`). */
export const METADATA_DOCUMENT_DISCOVERY_ID = "cimd";

/** The console's forms and procedures take client ids of at most this length. */
export const MAX_CLIENT_ID_URL_LENGTH = 200;

/** A fetched document is used for as long as its cache headers say, within these bounds. */
export const METADATA_DOCUMENT_MIN_TTL_MS = 5 * 60_000;
export const METADATA_DOCUMENT_MAX_TTL_MS = 24 * 60 * 60_000;
export const METADATA_DOCUMENT_DEFAULT_TTL_MS = 60 * 60_000;

const DOT_SEGMENT = /\/(?:\.|%2e)(?:\.|%2e)?(?:[/?#]|$)/i;
const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** What looks like a metadata-document client id; anything else is left to the provider's own lookup. */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.startsWith("https://");
}

/** The host that vouches for a metadata-document client: the host of its client_id URL. */
export function hostOfClientId(clientId: string): string | null {
  try {
    const url = new URL(clientId);
    return url.protocol === "https:" ? url.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * draft-ietf-oauth-client-id-metadata-document §3: an https URL with a path, no fragment, no
 * credentials, no dot segments; and, for Gatehouse, on a public host name (loopback only in tests).
 */
export function clientIdUrlProblem(clientId: string, { allowLoopback = false }: { allowLoopback?: boolean } = {}): string | null {
  if (clientId.length > MAX_CLIENT_ID_URL_LENGTH) return `A client_id URL is at most ${MAX_CLIENT_ID_URL_LENGTH} characters.`;
  if (clientId.includes("#")) return "A client_id URL must not contain a fragment (#).";
  if (clientId.includes("\\")) return "A client_id URL must not contain a backslash.";
  if (DOT_SEGMENT.test(clientId)) return "A client_id URL must not contain dot segments (/./ or /../).";
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return "The client_id is not a valid URL.";
  }
  if (url.protocol !== "https:") return "A client_id URL must use https.";
  const authorityAndRest = clientId.slice("https://".length);
  const pathStart = authorityAndRest.search(/[/?#]/);
  if (pathStart <= 0 || authorityAndRest[pathStart] !== "/") return "A client_id URL must have a path, such as https://app.example/oauth/client.json.";
  if (url.username || url.password) return "A client_id URL must not contain credentials.";
  if (allowLoopback && LOOPBACK_HOSTNAMES.has(url.hostname)) return null;
  if (isInternalHostname(url.hostname)) {
    return "A client_id URL must be on a public host name, not an IP address or an internal name such as localhost.";
  }
  return null;
}

/** The parts of a document Gatehouse passes on to the provider, validated. */
export type MetadataDocument = OAuthClientMetadata & { client_id: string; redirect_uris: string[] };

const SECRET_METHODS = new Set(["client_secret_basic", "client_secret_post", "client_secret_jwt"]);

function sameOriginHttps(value: string, clientId: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && !url.username && !url.password && !value.includes("#") && url.origin === new URL(clientId).origin;
  } catch {
    return false;
  }
}

/**
 * Checks a fetched document against the draft and Gatehouse's registration limits. Each refusal
 * names the field and the rule, never the value the document holds.
 */
export function validateMetadataDocument(clientId: string, raw: unknown): MetadataDocument {
  const refuse = (description: string): never => {
    throw new MetadataDocumentError(`The metadata document at the client_id URL is not usable: ${description}`);
  };
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) refuse("it is not a JSON object.");
  const body = raw as Record<string, unknown>;
  const forbidden = Object.keys(body).find(isForbiddenCimdClientMetadataField);
  if (forbidden) refuse(`it must not contain ${forbidden}, which only the authorization server sets.`);
  if (body.client_id !== clientId) refuse("its client_id must be exactly the URL it is served at.");
  const limit = registrationProblem(body);
  if (limit) refuse(limit.description);
  if (!Array.isArray(body.redirect_uris) || body.redirect_uris.length === 0) refuse("it must list its redirect_uris.");
  for (const uri of body.redirect_uris as unknown[]) {
    if (typeof uri !== "string") refuse("every redirect URI must be a string.");
    const problem = redirectUriProblem(uri as string);
    if (problem) refuse(problem);
  }
  const method = body.token_endpoint_auth_method ?? "none";
  if (typeof method === "string" && SECRET_METHODS.has(method)) {
    refuse(`token_endpoint_auth_method ${method} needs a shared secret, which a published document cannot hold. Use none with PKCE, or private_key_jwt.`);
  }
  if (method === "private_key_jwt") {
    if (body.jwks !== undefined) refuse("publish the client's public keys at a jwks_uri, not inline in jwks.");
    if (typeof body.jwks_uri !== "string") refuse("private_key_jwt needs a jwks_uri where the client publishes its public keys.");
    if (!sameOriginHttps(body.jwks_uri as string, clientId)) refuse("jwks_uri must be an https URL on the same origin as the client_id URL.");
  } else if (method !== "none") {
    refuse('token_endpoint_auth_method must be "none" (PKCE only) or "private_key_jwt" (with a jwks_uri).');
  } else if (body.jwks !== undefined || body.jwks_uri !== undefined) {
    refuse("a client that authenticates with none publishes no keys: leave out jwks and jwks_uri, or use private_key_jwt.");
  }
  const grantTypes = body.grant_types;
  if (Array.isArray(grantTypes) && !grantTypes.every((grant) => grant === "authorization_code" || grant === "refresh_token")) {
    refuse("grant_types may hold authorization_code and refresh_token only: such a client always acts for a person.");
  }
  const parsed = oauthClientMetadataSchema.strip().safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse(`${issue?.path.join(".") || "a field"} is malformed.`);
  }
  return { ...parsed.data!, client_id: clientId, redirect_uris: body.redirect_uris as string[], token_endpoint_auth_method: method as string };
}

const directive = (cacheControl: string, name: string): string | true | undefined => {
  for (const part of cacheControl.split(",")) {
    const [key, ...value] = part.trim().split("=");
    if (key?.toLowerCase() === name) return value.length > 0 ? value.join("=").trim().replace(/^"|"$/g, "") : true;
  }
  return undefined;
};

/**
 * Until when a document fetched at `now` may be used without fetching it again: what its
 * `Cache-Control: max-age` (less any `Age`) or `Expires` says, never less than five minutes (a flow
 * of authorize, sign-in, consent and token requests fetches it once) nor more than a day, an hour
 * when the headers say nothing.
 */
export function metadataDocumentExpiresAt(headers: Headers, now: Date): Date {
  const cacheControl = headers.get("cache-control") ?? "";
  let lifetimeMs: number | null = null;
  if (directive(cacheControl, "no-store") || directive(cacheControl, "no-cache")) lifetimeMs = 0;
  else {
    const maxAge = directive(cacheControl, "s-maxage") ?? directive(cacheControl, "max-age");
    if (typeof maxAge === "string" && /^\d+$/.test(maxAge)) {
      const age = Number(/^\d+$/.test(headers.get("age") ?? "") ? headers.get("age") : 0);
      lifetimeMs = (Number(maxAge) - age) * 1000;
    } else if (headers.get("expires")) {
      const expires = Date.parse(headers.get("expires")!);
      const date = Date.parse(headers.get("date") ?? "");
      lifetimeMs = Number.isFinite(expires) ? expires - (Number.isFinite(date) ? date : now.getTime()) : 0;
    }
  }
  const bounded = Math.min(METADATA_DOCUMENT_MAX_TTL_MS, Math.max(METADATA_DOCUMENT_MIN_TTL_MS, lifetimeMs ?? METADATA_DOCUMENT_DEFAULT_TTL_MS));
  return new Date(now.getTime() + bounded);
}
