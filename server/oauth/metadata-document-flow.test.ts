import * as oauth from "oauth4webapi";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ClientIdentity } from "@/app/(auth)/consent/_components/client-identity";
import { signedOAuthQuery } from "@/app/_lib/oauth-query";
import { auditEvent, clientRegistration, oauthClient } from "@/db/schema";
import { cookieHeader, createSignedInOwner, signUp, TEST_PASSWORD } from "@/server/testing/auth";
import { postMcp } from "@/server/testing/mcp";
import { startMetadataHost, TEST_PUBLIC_HOST, testHostLookup, type MetadataHost } from "@/server/testing/metadata-host";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { callerAs } from "@/server/testing/trpc";
import { findClient } from "./clients";
import { METADATA_DOCUMENT_MIN_TTL_MS } from "./metadata-documents";
import { storedStringArray } from "./stored";

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = "http://127.0.0.1:45987/callback";

let host: MetadataHost;
let server: OAuthTestServer;
let issuer: URL;
let as: oauth.AuthorizationServer;
let mcpResource: string;
let owner: { userId: string; email: string; cookie: string };
let member: { userId: string; email: string; cookie: string };
let documents = 0;

beforeAll(async () => {
  host = await startMetadataHost();
  // Every test here fetches from the one test host; the per-host budget has a test of its own below.
  server = await startOAuthTestServer({
    auth: { metadataDocuments: { testLoopback: { ca: host.ca }, lookup: testHostLookup, fetchesPerHostPerMinute: 1000 } },
  });
  issuer = new URL(`${server.baseUrl}/api/auth`);
  mcpResource = `${server.baseUrl}/mcp`;
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
  owner = await createSignedInOwner(server.database.db, server.auth);
  member = await signUp(server.auth);
});

afterAll(async () => {
  await server?.close();
  await host?.close();
});

/** Publishes a fresh client's document on the test host; its client_id is the URL it is served at. */
function publish(overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  documents += 1;
  const path = `/apps/${documents}/client.json`;
  const clientId = host.url(path);
  const document = {
    client_id: clientId,
    client_name: `Metadata App ${documents}`,
    redirect_uris: [REDIRECT],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    ...overrides,
  };
  host.serveJson(path, document, headers);
  return { clientId, path, document, client: { client_id: clientId, token_endpoint_auth_method: "none" } as oauth.Client };
}

function authorizeUrl(clientId: string, challenge: string, params: Record<string, string> = {}) {
  const url = new URL(as.authorization_endpoint!);
  const query = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: "mcp:read offline_access",
    state: "state-1",
    code_challenge: challenge,
    code_challenge_method: "S256",
    resource: mcpResource,
    ...params,
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

/** Where a response sends the browser: a 302's Location, or the `{ url }` the provider answers a script with. */
async function destination(response: Response): Promise<URL | null> {
  const location =
    response.headers.get("location") ??
    (response.headers.get("content-type")?.includes("json") ? (((await response.clone().json()) as { url?: string }).url ?? null) : null);
  return location ? new URL(location, server.baseUrl) : null;
}

async function consent(page: URL, cookie: string, accept = true): Promise<URL> {
  const response = await fetch(`${server.baseUrl}/api/auth/oauth2/consent`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ accept, oauth_query: signedOAuthQuery(page.search) }),
  });
  expect(response.status).toBe(200);
  return new URL(((await response.json()) as { url: string }).url);
}

/** A signed-in browser through authorize and (when asked) consent, up to where it is sent next. */
async function authorize(clientId: string, cookie: string, params: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const first = await fetch(authorizeUrl(clientId, await oauth.calculatePKCECodeChallenge(verifier), params), {
    headers: { cookie },
    redirect: "manual",
  });
  let location = await destination(first);
  const consentShown = location?.origin === server.baseUrl && location.pathname === "/consent";
  if (consentShown) location = await consent(location!, cookie);
  return { location: location!, verifier, consentShown };
}

async function exchange(client: oauth.Client, callback: URL, verifier: string) {
  const params = oauth.validateAuthResponse(as, client, callback, "state-1");
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, {
    additionalParameters: { resource: mcpResource },
    ...insecure,
  });
  return oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: false });
}

async function tokensFor(published: ReturnType<typeof publish>, cookie = member.cookie) {
  const flow = await authorize(published.clientId, cookie);
  return exchange(published.client, flow.location, flow.verifier);
}

function tokenRequest(body: Record<string, string>) {
  return fetch(as.token_endpoint!, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body),
  });
}

async function listTools(accessToken: string) {
  return postMcp(server.baseUrl, accessToken, { jsonrpc: "2.0", id: 1, method: "tools/list" });
}

async function auditOf(action: string, targetId: string) {
  return server.database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, action), eq(auditEvent.targetId, targetId)));
}

async function asOwner() {
  return callerAs({ db: server.database.db, auth: server.auth }, owner.cookie);
}

test("every authorization server metadata URL advertises client ID metadata document support", async () => {
  for (const path of [
    "/.well-known/oauth-authorization-server/api/auth",
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration/api/auth",
    "/.well-known/openid-configuration",
    "/api/auth/.well-known/openid-configuration",
  ]) {
    const metadata = (await (await fetch(`${server.baseUrl}${path}`)).json()) as Record<string, unknown>;
    expect({ path, supported: metadata.client_id_metadata_document_supported, issuer: metadata.issuer }).toEqual({
      path,
      supported: true,
      issuer: issuer.href,
    });
  }
});

test("an MCP client identified by an https client_id signs a person in, is shown on consent by the host that vouches for it, and calls /mcp", async () => {
  const published = publish({ logo_uri: "https://brand.example.com/logo.png" });
  const { email, password } = { email: member.email, password: TEST_PASSWORD };
  const verifier = oauth.generateRandomCodeVerifier();

  // No session yet: the browser is sent to sign in, with the request signed into the URL.
  const first = await fetch(authorizeUrl(published.clientId, await oauth.calculatePKCECodeChallenge(verifier)), { redirect: "manual" });
  const signInPage = (await destination(first))!;
  expect(signInPage.pathname).toBe("/sign-in");

  const signIn = await fetch(`${server.baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ email, password, oauth_query: signedOAuthQuery(signInPage.search) }),
  });
  expect(signIn.status).toBe(200);
  const consentPage = (await destination(signIn))!;
  expect(consentPage.pathname).toBe("/consent");

  // What the consent page shows: the document's name, and the host of the client_id URL.
  const shown = await findClient(server.database.db, published.clientId);
  expect(shown).toMatchObject({
    name: published.document.client_name,
    origin: "metadata_document",
    metadataDocumentHost: "localhost",
    type: "public",
    redirectUris: [REDIRECT],
    scopes: ["offline_access", "mcp:read"],
    skipConsent: false,
  });
  const page = renderToStaticMarkup(createElement(ClientIdentity, { client: shown }));
  expect(page).toContain(`${published.document.client_name} wants to use your account`);
  expect(page).toContain('Identified by <span class="font-mono font-semibold break-all">localhost</span>');
  expect(page).toContain("Gatehouse did not register this application");
  // The document chose its logo, as it chose its name: a brand's logo must not vouch for it.
  expect(page).not.toContain("<img");

  const callback = await consent(consentPage, cookieHeader(signIn));
  expect(callback.origin + callback.pathname).toBe(REDIRECT);
  const tokens = await exchange(published.client, callback, verifier);
  expect(tokens.scope).toBe("mcp:read offline_access");
  expect(tokens.refresh_token).toBeTruthy();

  const mcp = await listTools(tokens.access_token);
  expect(mcp.status).toBe(200);

  // authorize, its resumption after sign-in, consent and the token request used one fetch of the document.
  expect(host.hits(published.path)).toBe(1);
  const registered = await auditOf("client.registered", published.clientId);
  expect(registered).toHaveLength(1);
  expect(registered[0]!.details).toMatchObject({ origin: "metadata_document", host: "localhost", name: published.document.client_name });
  const [row] = await server.database.db.select().from(clientRegistration).where(eq(clientRegistration.clientId, published.clientId));
  expect(row).toMatchObject({ origin: "metadata_document", domainId: null });
  expect(row!.metadataDocumentExpiresAt!.getTime()).toBeGreaterThan(Date.now() + METADATA_DOCUMENT_MIN_TTL_MS - 60_000);
});

test("a refresh of a metadata-document client's tokens works as for any public client, and revocation too", async () => {
  const published = publish();
  const tokens = await tokensFor(published);
  const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: published.clientId });
  expect(refreshed.status).toBe(200);
  const next = (await refreshed.json()) as { access_token: string; refresh_token: string };
  const revoked = await fetch(as.revocation_endpoint!, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: next.refresh_token, token_type_hint: "refresh_token", client_id: published.clientId }),
  });
  expect(revoked.status).toBe(200);
  const again = await tokenRequest({ grant_type: "refresh_token", refresh_token: next.refresh_token, client_id: published.clientId });
  expect(again.status).toBe(400);
});

describe("a document Gatehouse cannot use stops the authorization on Gatehouse's own error page, which says why", () => {
  async function refusedAt(clientId: string) {
    const { location, consentShown } = await authorize(clientId, member.cookie);
    expect(consentShown).toBe(false);
    expect(location.origin).toBe(server.baseUrl);
    expect(location.pathname).toBe("/oauth-error");
    expect(location.searchParams.get("error")).toBe("invalid_client");
    return location.searchParams.get("error_description");
  }

  test("a document naming another client_id", async () => {
    const published = publish({ client_id: "https://elsewhere.example/client.json" });
    expect(await refusedAt(published.clientId)).toBe(
      "The metadata document at the client_id URL is not usable: its client_id must be exactly the URL it is served at.",
    );
  });

  test("a document holding a client_secret", async () => {
    const published = publish({ client_secret: "shared-secret" });
    expect(await refusedAt(published.clientId)).toBe(
      "The metadata document at the client_id URL is not usable: it must not contain client_secret, which only the authorization server sets.",
    );
  });

  test("a document asking for a secret-based authentication method", async () => {
    const published = publish({ token_endpoint_auth_method: "client_secret_post" });
    expect(await refusedAt(published.clientId)).toMatch(/token_endpoint_auth_method client_secret_post needs a shared secret/);
  });

  test("a document without redirect_uris", async () => {
    const published = publish({ redirect_uris: undefined });
    expect(await refusedAt(published.clientId)).toMatch(/it must list its redirect_uris\.$/);
  });

  test("a client_id URL that redirects, and the redirect target is never fetched", async () => {
    const target = publish();
    const path = `/apps/moved-${documents}.json`;
    host.route(path, (_request, response) => {
      response.writeHead(301, { location: target.clientId });
      response.end();
    });
    expect(await refusedAt(host.url(path))).toMatch(/answered with a redirect \(HTTP 301\)/);
    expect(host.hits(target.path)).toBe(0);
  });

  test("a document over 5 KB", async () => {
    const published = publish({ client_name: "Big", software_statement: "x".repeat(6000) });
    expect(await refusedAt(published.clientId)).toMatch(/is larger than 5 KB/);
  });

  test("a client_id URL without a path, with a fragment, or with dot segments, before anything is fetched", async () => {
    const before = host.hits("/");
    expect(await refusedAt(host.origin)).toBe("A client_id URL must have a path, such as https://app.example/oauth/client.json.");
    expect(await refusedAt(`${host.origin}/apps/../client.json`)).toMatch(/dot segments/);
    expect(host.hits("/")).toBe(before);
  });

  test("a redirect URI the document does not list goes to the error page, never to that URI", async () => {
    const published = publish();
    const { location } = await authorize(published.clientId, member.cookie, { redirect_uri: "http://127.0.0.1:45987/other" });
    expect(location.pathname).toBe("/oauth-error");
    expect(location.searchParams.get("error")).toBe("invalid_redirect");
  });
});

test("the token endpoint refuses a client whose document, fetched again, cannot be used: invalid_client with a description", async () => {
  const published = publish();
  const tokens = await tokensFor(published);
  host.serveJson(published.path, { ...published.document, client_id: "https://elsewhere.example/client.json" });
  await server.database.db
    .update(clientRegistration)
    .set({ metadataDocumentExpiresAt: new Date(Date.now() - 1000) })
    .where(eq(clientRegistration.clientId, published.clientId));
  const response = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: published.clientId });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    error: "invalid_client",
    error_description: "The metadata document at the client_id URL is not usable: its client_id must be exactly the URL it is served at.",
  });
});

test("a document that names no scope gets the registration defaults; a tier asked for by name is granted as far as the person's roles go", async () => {
  const published = publish();
  // A member asks for mcp:admin too: their roles can use mcp:read only, so that is all they are asked about and granted.
  const flow = await authorize(published.clientId, member.cookie, { scope: "mcp:read mcp:admin" });
  expect(flow.location.origin + flow.location.pathname).toBe(REDIRECT);
  const tokens = await exchange(published.client, flow.location, flow.verifier);
  expect(tokens.scope).toBe("mcp:read");
  const [client] = await server.database.db.select({ scopes: oauthClient.scopes }).from(oauthClient).where(eq(oauthClient.clientId, published.clientId));
  expect(storedStringArray(client!.scopes)).toEqual(expect.arrayContaining(["mcp:read", "offline_access"]));
});

describe("a client that authenticates with private_key_jwt", () => {
  const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  async function hostedAgent() {
    const keys = await generateKeyPair("ES256");
    const origin = `https://${TEST_PUBLIC_HOST}:${host.port}`;
    documents += 1;
    const clientId = `${origin}/agents/${documents}/client.json`;
    host.serveJson(`/agents/${documents}/jwks.json`, { keys: [{ ...(await exportJWK(keys.publicKey)), kid: "agent-key", alg: "ES256", use: "sig" }] });
    host.serveJson(`/agents/${documents}/client.json`, {
      client_id: clientId,
      client_name: "Hosted Agent",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "private_key_jwt",
      jwks_uri: `${origin}/agents/${documents}/jwks.json`,
    });
    return { clientId, keys };
  }

  const assertion = (clientId: string, key: CryptoKey) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "agent-key" })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(`${server.baseUrl}/api/auth/oauth2/token`)
      .setIssuedAt()
      .setExpirationTime("2m")
      .setJti(randomUUID())
      .sign(key);

  async function codeFor(clientId: string) {
    const flow = await authorize(clientId, member.cookie);
    expect(flow.consentShown).toBe(true);
    return { code: flow.location.searchParams.get("code")!, verifier: flow.verifier };
  }

  test("signs its token request with a key its jwks_uri publishes, and gets tokens that work at /mcp", async () => {
    const agent = await hostedAgent();
    const { code, verifier } = await codeFor(agent.clientId);
    const response = await tokenRequest({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      resource: mcpResource,
      client_id: agent.clientId,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(agent.clientId, agent.keys.privateKey),
    });
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { access_token: string };
    expect((await listTools(tokens.access_token)).status).toBe(200);
    expect(await findClient(server.database.db, agent.clientId)).toMatchObject({ type: "confidential", authMethod: "private_key_jwt", metadataDocumentHost: TEST_PUBLIC_HOST });
    // Its keys are its credentials: the console has no secret to give it.
    await expect((await asOwner()).clients.rotateSecret({ clientId: agent.clientId })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const [row] = await server.database.db.select({ secret: oauthClient.clientSecret }).from(oauthClient).where(eq(oauthClient.clientId, agent.clientId));
    expect(row!.secret).toBeNull();
  });

  test("is refused with a key it does not publish, or with no assertion at all", async () => {
    const agent = await hostedAgent();
    const stranger = await generateKeyPair("ES256");
    const { code, verifier } = await codeFor(agent.clientId);
    const forged = await tokenRequest({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: agent.clientId,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(agent.clientId, stranger.privateKey),
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: "invalid_client" });
    const bare = await tokenRequest({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: agent.clientId });
    expect(bare.status).toBeGreaterThanOrEqual(400);
    expect(await bare.json()).toMatchObject({ error: "invalid_client" });
  });

  test("a jwks_uri on another origin is refused", async () => {
    const published = publish({ token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://keys.example.com/jwks.json" });
    const { location } = await authorize(published.clientId, member.cookie);
    expect(location.searchParams.get("error_description")).toBe(
      "The metadata document at the client_id URL is not usable: jwks_uri must be an https URL on the same origin as the client_id URL.",
    );
  });
});

describe("caching", () => {
  test("a document is used for at least five minutes, even when its headers forbid caching", async () => {
    const published = publish({}, { "cache-control": "no-store" });
    await tokensFor(published);
    await tokensFor(published);
    expect(host.hits(published.path)).toBe(1);
    const [registered] = await auditOf("client.registered", published.clientId);
    expect(registered).toMatchObject({ actorUserId: member.userId, actorVia: "oauth", clientId: published.clientId });
  });

  test("an expired document is fetched again, and a change to it is audited", async () => {
    const published = publish({}, { "cache-control": "max-age=600" });
    await tokensFor(published);
    const [row] = await server.database.db.select().from(clientRegistration).where(eq(clientRegistration.clientId, published.clientId));
    expect(row!.metadataDocumentExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(600_000);
    expect(row!.metadataDocumentExpiresAt!.getTime() - Date.now()).toBeGreaterThan(590_000);

    host.serveJson(published.path, { ...published.document, client_name: "Renamed App", redirect_uris: [REDIRECT, "http://127.0.0.1:45987/second"] });
    await server.database.db
      .update(clientRegistration)
      .set({ metadataDocumentExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(clientRegistration.clientId, published.clientId));
    const flow = await authorize(published.clientId, member.cookie, { redirect_uri: "http://127.0.0.1:45987/second" });
    expect(flow.location.origin + flow.location.pathname).toBe("http://127.0.0.1:45987/second");
    expect(host.hits(published.path)).toBe(2);
    expect((await findClient(server.database.db, published.clientId)).name).toBe("Renamed App");
    const changed = await auditOf("client.metadata_document_changed", published.clientId);
    expect(changed).toHaveLength(1);
    expect(changed[0]!.details).toMatchObject({
      before: { name: published.document.client_name, redirectUris: [REDIRECT] },
      after: { name: "Renamed App", redirectUris: [REDIRECT, "http://127.0.0.1:45987/second"] },
    });
    expect(await auditOf("client.registered", published.clientId)).toHaveLength(1);
  });
});

describe("the administrator's policy", () => {
  test("blocking the host ends its clients' tokens and grants at once, refuses them everywhere, and is audited", async () => {
    const published = publish();
    const tokens = await tokensFor(published);
    expect((await listTools(tokens.access_token)).status).toBe(200);

    const caller = await asOwner();
    const answer = await caller.clientMetadataDocuments.blockHost({ host: "localhost" });
    try {
      expect(answer.revoked).toMatchObject({ clients: expect.any(Number) });
      expect(answer.revoked.accessTokensRevoked).toBeGreaterThanOrEqual(1);
      expect((await listTools(tokens.access_token)).status).toBe(401);
      const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: published.clientId });
      expect(refresh.status).toBe(400);
      expect(await refresh.json()).toMatchObject({ error: "invalid_client" });

      const { location } = await authorize(published.clientId, member.cookie);
      expect(location.pathname).toBe("/oauth-error");
      expect(location.searchParams.get("error_description")).toBe(
        "An administrator of this Gatehouse server has blocked client ID metadata documents from localhost.",
      );
      const [blocked] = await auditOf("client.metadata_host_blocked", "localhost");
      expect(blocked!.actorUserId).toBe(owner.userId);
      expect(blocked!.details).toMatchObject({ host: "localhost", accessTokensRevoked: answer.revoked.accessTokensRevoked });
    } finally {
      await caller.clientMetadataDocuments.removeHostRule({ host: "localhost" });
    }
    // Lifting the block lets the client in again, through consent, since its grant was revoked.
    const again = await authorize(published.clientId, member.cookie);
    expect(again.consentShown).toBe(true);
  });

  test("off: nothing is accepted or advertised, and existing clients cannot refresh", async () => {
    const published = publish();
    const tokens = await tokensFor(published);
    const caller = await asOwner();
    await caller.clientMetadataDocuments.setMode({ mode: "off" });
    try {
      const metadata = (await (await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(metadata).not.toHaveProperty("client_id_metadata_document_supported");
      const { location } = await authorize(publish().clientId, member.cookie);
      expect(location.searchParams.get("error_description")).toBe(
        "This Gatehouse server does not accept client ID metadata documents. Ask its administrator to register the application instead.",
      );
      const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: published.clientId });
      expect(await refresh.json()).toMatchObject({ error: "invalid_client" });
    } finally {
      await caller.clientMetadataDocuments.setMode({ mode: "all" });
    }
    const [changed] = await auditOf("client.metadata_documents_mode_changed", "client_metadata_documents");
    expect(changed!.details).toEqual({ before: "all", after: "off" });
  });

  test("allow-list: only allowed hosts are accepted", async () => {
    const caller = await asOwner();
    await caller.clientMetadataDocuments.setMode({ mode: "allowlist" });
    try {
      const published = publish();
      const { location } = await authorize(published.clientId, member.cookie);
      expect(location.searchParams.get("error_description")).toBe(
        "This Gatehouse server accepts client ID metadata documents only from hosts its administrator allowed, and localhost is not one of them.",
      );
      expect(host.hits(published.path)).toBe(0);
      await caller.clientMetadataDocuments.allowHost({ host: published.clientId });
      expect((await caller.clientMetadataDocuments.get()).hosts).toEqual([expect.objectContaining({ host: "localhost", rule: "allow" })]);
      expect((await authorize(published.clientId, member.cookie)).consentShown).toBe(true);
    } finally {
      await caller.clientMetadataDocuments.removeHostRule({ host: "localhost" });
      await caller.clientMetadataDocuments.setMode({ mode: "all" });
    }
  });
});

describe("the console", () => {
  test("lists metadata-document clients beside registered ones, filterable by origin, with their host", async () => {
    const published = publish();
    await tokensFor(published);
    const caller = await asOwner();
    const listed = await caller.clients.list({ origin: "metadata_document", limit: 100 });
    expect(listed.items.length).toBeGreaterThan(0);
    expect(listed.items.every((item) => item.origin === "metadata_document" && item.metadataDocumentHost === new URL(item.clientId).hostname)).toBe(true);
    expect(listed.items.map((item) => item.clientId)).toContain(published.clientId);
    const registered = await caller.clients.list({ origin: "console", limit: 100 });
    expect(registered.items.map((item) => item.clientId)).not.toContain(published.clientId);
    const grants = await caller.grants.list({ clientId: published.clientId });
    expect(grants.items).toEqual([expect.objectContaining({ userId: member.userId, clientId: published.clientId })]);
  });

  test("does not edit what the document owns, nor trust such a client", async () => {
    const published = publish();
    await tokensFor(published);
    const caller = await asOwner();
    await expect(caller.clients.update({ clientId: published.clientId, redirectUris: ["https://evil.example/callback"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("is described by its client ID metadata document on localhost"),
    });
    await expect(caller.clients.update({ clientId: published.clientId, skipConsent: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("cannot skip consent"),
    });
    await expect(caller.clients.disable({ clientId: published.clientId })).resolves.toMatchObject({ disabled: true });
    const { location } = await authorize(published.clientId, member.cookie);
    expect(location.searchParams.get("error")).toBe("client_disabled");
  });
});

test("one host's documents are fetched at most so often a minute; beyond that the authorization stops with temporarily_unavailable", async () => {
  const limited = await startOAuthTestServer({
    auth: { metadataDocuments: { testLoopback: { ca: host.ca }, lookup: testHostLookup, fetchesPerHostPerMinute: 2 } },
  });
  try {
    const { cookie } = await createSignedInOwner(limited.database.db, limited.auth);
    const outcomes: (string | null)[] = [];
    for (let index = 0; index < 3; index += 1) {
      const published = publish();
      const url = new URL(`${limited.baseUrl}/api/auth/oauth2/authorize`);
      const query = { response_type: "code", client_id: published.clientId, redirect_uri: REDIRECT, scope: "mcp:read", state: "s", code_challenge: "x".repeat(43), code_challenge_method: "S256" };
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      const location = (await destination(await fetch(url, { headers: { cookie }, redirect: "manual" })))!;
      outcomes.push(location.pathname === "/consent" ? "consent" : location.searchParams.get("error"));
      if (index === 2) {
        expect(location.searchParams.get("error_description")).toBe("Gatehouse fetched metadata documents from localhost too often in the last minute. Try again in a minute.");
        expect(host.hits(published.path)).toBe(0);
      }
    }
    expect(outcomes).toEqual(["consent", "consent", "temporarily_unavailable"]);
  } finally {
    await limited.close();
  }
});

describe("without the test-only setting, as in production, the SSRF guard holds end to end", () => {
  let production: OAuthTestServer;
  let cookie: string;
  const INTERNAL_ANSWERS: Record<string, string> = {
    "loopback.attacker.example": "127.0.0.1",
    "v6-loopback.attacker.example": "::1",
    "private.attacker.example": "10.0.0.1",
    "cloud-metadata.attacker.example": "169.254.169.254",
    "unique-local.attacker.example": "fd00::1",
  };

  beforeAll(async () => {
    // Names whose DNS answer the attacker controls: here, a resolver that answers with internal addresses.
    const lookup = async (hostname: string) => {
      const address = INTERNAL_ANSWERS[hostname];
      if (!address) throw new Error(`no test answer for ${hostname}`);
      return [{ address, family: address.includes(":") ? 6 : 4 }];
    };
    production = await startOAuthTestServer({ auth: { metadataDocuments: { lookup } } });
    ({ cookie } = await createSignedInOwner(production.database.db, production.auth));
  });

  afterAll(() => production?.close());

  async function refusal(clientId: string) {
    const url = new URL(`${production.baseUrl}/api/auth/oauth2/authorize`);
    const query = { response_type: "code", client_id: clientId, redirect_uri: REDIRECT, scope: "mcp:read", state: "s", code_challenge: "x".repeat(43), code_challenge_method: "S256" };
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const location = (await destination(await fetch(url, { headers: { cookie }, redirect: "manual" })))!;
    expect(location.pathname).toBe("/oauth-error");
    expect(location.searchParams.get("error")).toBe("invalid_client");
    return location.searchParams.get("error_description");
  }

  test.each(["https://localhost:PORT/ssrf.json", "https://127.0.0.1:PORT/ssrf.json", "https://[::1]:PORT/ssrf.json", "https://169.254.169.254/latest/meta-data/"])(
    "a client_id on %s is refused and nothing is requested",
    async (clientId) => {
      host.serveJson("/ssrf.json", {});
      expect(await refusal(clientId.replace("PORT", String(host.port)))).toBe(
        "A client_id URL must be on a public host name, not an IP address or an internal name such as localhost.",
      );
      expect(host.hits("/ssrf.json")).toBe(0);
    },
  );

  test.each(Object.keys(INTERNAL_ANSWERS))("a client_id on %s, whose DNS answer is internal, is refused before any connection", async (name) => {
    host.serveJson("/rebound.json", {});
    expect(await refusal(`https://${name}:${host.port}/rebound.json`)).toBe(
      `The host ${name} of the client_id URL resolves to a private, loopback, link-local or otherwise internal address. Gatehouse fetches metadata documents from the public internet only.`,
    );
    expect(host.hits("/rebound.json")).toBe(0);
  });
});
