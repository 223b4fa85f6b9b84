import { createHash, randomBytes } from "node:crypto";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";

/** One HTTP exchange as an MCP client or its user's browser made it. */
export interface RecordedRequest {
  method: string;
  url: URL;
  status: number;
  requestHeaders: Headers;
  responseHeaders: Headers;
  /** The response body as text (null for an event stream), for asserting a body the client consumed. */
  responseText: string | null;
  /** The request body when it was text or a form, for asserting what a token request sent. */
  body: string | null;
}

/** A fetch that records every exchange, for asserting which endpoints a client really called and in what order. */
export function recordingFetch() {
  const requests: RecordedRequest[] = [];
  const spy = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = typeof init?.body === "string" ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : null;
    const response = await fetch(request);
    // A tee'd body (Response.clone) cannot be cancelled until both halves are, and clients cancel
    // bodies they do not need; so read it once and hand the client a fresh Response of the same bytes.
    const streaming = response.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
    const bytes = streaming ? null : await response.arrayBuffer();
    requests.push({
      method: request.method,
      url: new URL(request.url),
      status: response.status,
      requestHeaders: request.headers,
      responseHeaders: response.headers,
      responseText: bytes ? new TextDecoder().decode(bytes) : null,
      body,
    });
    if (!bytes) return response;
    const empty = response.status === 204 || response.status === 304;
    return new Response(empty ? null : bytes, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { fetch: spy, requests };
}

export interface BrowserAuthorization {
  /** Where the browser ended up: the client's redirect URI with `code` (or `error`), or a Gatehouse page. */
  location: URL;
  consentShown: boolean;
  /** The scopes the consent page listed (from its signed request), when it was shown. */
  consentScopes: string[] | null;
}

/**
 * What a signed-in person's browser does with an authorization URL: follow it, and press Allow (or
 * Deny) when Gatehouse's consent page comes up. The redirect URI is only read, never requested.
 */
export async function authorizeInBrowser(
  authorizationUrl: URL,
  options: { cookie: string; consent?: "allow" | "deny"; fetch?: typeof fetch },
): Promise<BrowserAuthorization> {
  const send = options.fetch ?? fetch;
  const first = await send(authorizationUrl, { headers: { cookie: options.cookie }, redirect: "manual" });
  // Outside a navigation (fetch sends Sec-Fetch-Mode: cors) the provider answers a redirect as JSON.
  const target =
    first.headers.get("location") ??
    (first.headers.get("content-type")?.includes("json") ? ((await first.json()) as { url?: string }).url : undefined);
  if (!target) throw new Error(`authorize answered ${first.status} without a redirect: ${await first.text()}`);
  const location = new URL(target, authorizationUrl);
  if (location.origin !== authorizationUrl.origin || location.pathname !== "/consent") return { location, consentShown: false, consentScopes: null };
  const consent = await send(new URL("/api/auth/oauth2/consent", authorizationUrl), {
    method: "POST",
    headers: { cookie: options.cookie, "content-type": "application/json", origin: authorizationUrl.origin },
    body: JSON.stringify({ accept: options.consent !== "deny", oauth_query: location.search.slice(1) }),
  });
  const answer = (await consent.json()) as { url?: string };
  if (!answer.url) throw new Error(`consent answered ${consent.status} without a redirect: ${JSON.stringify(answer)}`);
  const consentScopes = location.searchParams.get("scope")?.split(" ").filter(Boolean) ?? [];
  return { location: new URL(answer.url), consentShown: true, consentScopes };
}

/**
 * The MCP SDK's OAuth client provider for a client with no browser: `redirectToAuthorization` drives
 * the signed-in user's browser part with `authorizeInBrowser`, and keeps the code that lands on the
 * redirect URI for `transport.finishAuth`. Everything is kept in memory, as one client session.
 */
export class HeadlessOAuthProvider implements OAuthClientProvider {
  readonly authorizationUrls: URL[] = [];
  readonly consentPages: boolean[] = [];
  /** Per authorization, the scopes its consent page listed (null: no consent page). */
  readonly consentScopes: (string[] | null)[] = [];
  private information: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier: string | undefined;
  private expectedState: string | undefined;
  private code: string | undefined;

  constructor(
    private readonly options: {
      redirectUrl: string;
      /** The session cookie of the person whose browser authorizes. */
      cookie: string;
      clientName?: string;
      fetch?: typeof fetch;
    },
  ) {}

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName ?? "Headless MCP client",
      redirect_uris: [this.options.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }

  state(): string {
    this.expectedState = randomBytes(16).toString("base64url");
    return this.expectedState;
  }

  clientInformation() {
    return this.information;
  }

  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }

  tokens() {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }

  /** What the SDK calls when the server refuses what it holds (`invalid_grant` drops the tokens), as real clients implement it. */
  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery") {
    if (scope === "all" || scope === "tokens") this.saved = undefined;
    if (scope === "all" || scope === "client") this.information = undefined;
    if (scope === "all" || scope === "verifier") this.verifier = undefined;
  }

  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error("no code verifier was saved before the token request");
    return this.verifier;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizationUrls.push(authorizationUrl);
    const { location, consentShown, consentScopes } = await authorizeInBrowser(authorizationUrl, {
      cookie: this.options.cookie,
      fetch: this.options.fetch,
    });
    this.consentPages.push(consentShown);
    this.consentScopes.push(consentScopes);
    const redirect = new URL(this.options.redirectUrl);
    if (location.origin + location.pathname !== redirect.origin + redirect.pathname) {
      throw new Error(`the browser did not come back to the client: ${location.href}`);
    }
    if (location.searchParams.get("state") !== this.expectedState) throw new Error(`state was not echoed: ${location.href}`);
    const code = location.searchParams.get("code");
    if (!code) throw new Error(`authorization failed: ${location.href}`);
    this.code = code;
  }

  /** The code the last authorization brought back; each is handed out once. */
  takeAuthorizationCode(): string {
    const code = this.code;
    if (!code) throw new Error("no authorization code is waiting");
    this.code = undefined;
    return code;
  }
}

/** RFC 7636 S256: the challenge a verifier must hash to. */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export interface IssuedUserToken {
  accessToken: string;
  /** Only when the client registered for the refresh grant and asked for `offline_access`. */
  refreshToken: string | null;
  clientId: string;
}

/** The redirect URI of the probe clients below; a console client registered with it can use the same helpers. */
export const PROBE_REDIRECT = "http://127.0.0.1:43117/callback";

/** An RFC 7591 registration of a public (PKCE-only) client, as MCP clients make one. */
export async function registerPublicClient(
  baseUrl: string,
  scope = "mcp:read",
  grantTypes: string[] = ["authorization_code"],
): Promise<string> {
  const registration = await fetch(`${baseUrl}/api/auth/oauth2/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Token probe",
      redirect_uris: [PROBE_REDIRECT],
      token_endpoint_auth_method: "none",
      grant_types: grantTypes,
      response_types: ["code"],
      scope,
    }),
  });
  if (registration.status !== 201) throw new Error(`registration failed: ${registration.status} ${await registration.text()}`);
  return ((await registration.json()) as { client_id: string }).client_id;
}

export interface AuthorizationRequest {
  url: URL;
  verifier: string;
}

/**
 * An authorization request with PKCE S256 as a client builds it. `resource: null` leaves the RFC 8707
 * indicator out; by default it names the MCP endpoint.
 */
export function authorizationRequest(
  baseUrl: string,
  options: { clientId: string; scope?: string; state?: string; redirectUri?: string; resource?: string | null },
): AuthorizationRequest {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(`${baseUrl}/api/auth/oauth2/authorize`);
  const resource = options.resource === undefined ? `${baseUrl}/mcp` : options.resource;
  const query: Record<string, string | null> = {
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri ?? PROBE_REDIRECT,
    scope: options.scope ?? "mcp:read",
    state: options.state ?? "probe",
    code_challenge: pkceChallenge(verifier),
    code_challenge_method: "S256",
    resource,
  };
  for (const [name, value] of Object.entries(query)) if (value !== null) url.searchParams.set(name, value);
  return { url, verifier };
}

/** How a confidential client authenticates at the token endpoint: the method it registered and its secret. */
export interface ClientSecretAuth {
  method: "client_secret_basic" | "client_secret_post";
  secret: string;
}

/** The form and headers of a token request from `clientId`: public, or with its secret as the client registered. */
export function tokenRequestInit(clientId: string, form: URLSearchParams, auth?: ClientSecretAuth): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth?.method === "client_secret_basic") {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(auth.secret)}`).toString("base64")}`;
  } else {
    form.set("client_id", clientId);
    if (auth) form.set("client_secret", auth.secret);
  }
  return { method: "POST", headers, body: form };
}

/** The token request for the code an authorization brought back: a public client's, or a confidential one's with `auth`. */
export async function exchangeCode(request: AuthorizationRequest, code: string, auth?: ClientSecretAuth): Promise<IssuedUserToken> {
  const clientId = request.url.searchParams.get("client_id")!;
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    code_verifier: request.verifier,
    redirect_uri: request.url.searchParams.get("redirect_uri")!,
  });
  const resource = request.url.searchParams.get("resource");
  if (resource !== null) form.set("resource", resource);
  const response = await fetch(new URL("/api/auth/oauth2/token", request.url), tokenRequestInit(clientId, form, auth));
  const tokenResponse = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200 || typeof tokenResponse.access_token !== "string") {
    throw new Error(`token request failed: ${response.status} ${JSON.stringify(tokenResponse)}`);
  }
  const refreshToken = typeof tokenResponse.refresh_token === "string" ? tokenResponse.refresh_token : null;
  return { accessToken: tokenResponse.access_token, refreshToken, clientId };
}

/**
 * A person's access token the short way, without the SDK: a dynamically registered public client,
 * the browser's authorize and consent, and the code exchanged with PKCE. `resource: null` leaves the
 * RFC 8707 indicator out of both requests; `clientId` reuses a client registered with `registerPublicClient`;
 * `refresh` registers the client for the refresh grant and asks for `offline_access` as well.
 */
export async function issueUserToken(
  baseUrl: string,
  cookie: string,
  options: { scope?: string; resource?: string | null; clientId?: string; refresh?: boolean } = {},
): Promise<IssuedUserToken> {
  const scope = options.refresh ? `offline_access ${options.scope ?? "mcp:read"}` : (options.scope ?? "mcp:read");
  const clientId =
    options.clientId ??
    (await registerPublicClient(baseUrl, scope, options.refresh ? ["authorization_code", "refresh_token"] : ["authorization_code"]));
  const request = authorizationRequest(baseUrl, { clientId, scope, resource: options.resource });
  const { location } = await authorizeInBrowser(request.url, { cookie });
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`authorization failed: ${location.href}`);
  return exchangeCode(request, code);
}

/** One JSON-RPC POST to `/mcp` the way a Streamable HTTP client sends it; `init` overrides any part. */
export function postMcp(baseUrl: string, token: string | null, message: unknown, init: { headers?: Record<string, string>; path?: string } = {}) {
  return fetch(`${baseUrl}${init.path ?? "/mcp"}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
    body: typeof message === "string" ? message : JSON.stringify(message),
  });
}

/** A `tools/call` request body. */
export function toolCall(name: string, args: Record<string, unknown> = {}, id = 1) {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}
