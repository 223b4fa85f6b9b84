import * as oauth from "oauth4webapi";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN_ROLE_ID, auditEvent, issuedAccessToken, oauthClient, refreshExchange, verification } from "@/db/schema";
import { createClient, setClientDisabled, rotateClientSecret } from "@/server/clients/commands";
import { storedSecretHash } from "@/server/oauth/config";
import type { OAuthScope } from "@/server/shared/scopes";
import { createSignedInOwner, signUp } from "@/server/testing/auth";
import { grantRole } from "@/server/testing/authz";
import { registerPublicClient, startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { createCaller } from "@/server/trpc/root";
import { createTRPCContext } from "@/server/trpc/context";

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = "http://127.0.0.1:45123/callback";

let server: OAuthTestServer;
let issuer: URL;
let mcpResource: string;
let as: oauth.AuthorizationServer;

/** The claims of an access token as the MCP resource server validates them (signature, issuer, audience). */
const accessTokenClaims = (accessToken: string) =>
  oauth.validateJwtAccessToken(as, new Request(mcpResource, { headers: { authorization: `Bearer ${accessToken}` } }), mcpResource, insecure);
let owner: { userId: string; cookie: string };
let member: { userId: string; cookie: string };

beforeAll(async () => {
  server = await startOAuthTestServer();
  issuer = new URL(`${server.baseUrl}/api/auth`);
  mcpResource = `${server.baseUrl}/mcp`;
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
  owner = await createSignedInOwner(server.database.db, server.auth);
  member = await signUp(server.auth);
});

afterAll(() => server?.close());

async function consoleClient(
  type: "public" | "confidential",
  scopes: OAuthScope[] = ["openid", "profile", "offline_access", "mcp:read"],
  authMethod: "client_secret_basic" | "client_secret_post" = "client_secret_basic",
) {
  const created = await server.database.db.transaction((tx) =>
    createClient(
      tx,
      { name: `${type} app`, type, redirectUris: [REDIRECT], scopes, authMethod, domainId: null, skipConsent: false },
      { createdBy: owner.userId, mcpResource },
    ),
  );
  const client: oauth.Client = { client_id: created.client.clientId };
  return { client, secret: created.clientSecret };
}

interface AuthorizeOptions {
  clientId: string;
  cookie: string;
  scope?: string;
  redirectUri?: string;
  state?: string;
  verifier?: string;
  params?: Record<string, string | null>;
}

function authorizeUrl({ clientId, scope = "openid offline_access mcp:read", redirectUri = REDIRECT, state = "state-1", params = {} }: AuthorizeOptions, challenge: string) {
  const url = new URL(as.authorization_endpoint!);
  const query: Record<string, string | null> = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    resource: mcpResource,
    ...params,
  };
  for (const [name, value] of Object.entries(query)) if (value !== null) url.searchParams.set(name, value);
  return url;
}

/** What a browser does: follow the authorize redirect, and press Allow (or Deny) when the consent page comes up. */
async function authorize(options: AuthorizeOptions & { consent?: "allow" | "deny" }) {
  const verifier = options.verifier ?? oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const first = await fetch(authorizeUrl(options, challenge), { headers: { cookie: options.cookie }, redirect: "manual" });
  // Outside a browser navigation (fetch sends Sec-Fetch-Mode: cors) the provider answers a redirect as JSON.
  const location =
    first.headers.get("location") ??
    (first.headers.get("content-type")?.includes("json") ? ((await first.clone().json()) as { url?: string }).url ?? null : null);
  if (!location) return { response: first, location: null, verifier, consentShown: false };
  const target = new URL(location, server.baseUrl);
  if (target.origin !== server.baseUrl || target.pathname !== "/consent") {
    return { response: first, location: target, verifier, consentShown: false };
  }
  const consent = await fetch(`${server.baseUrl}/api/auth/oauth2/consent`, {
    method: "POST",
    headers: { cookie: options.cookie, "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ accept: options.consent !== "deny", oauth_query: target.search.slice(1) }),
  });
  const body = (await consent.json()) as { url: string };
  return { response: consent, location: new URL(body.url), verifier, consentShown: true };
}

async function exchange(client: oauth.Client, auth: oauth.ClientAuth, callback: URL, verifier: string, state = "state-1") {
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, {
    additionalParameters: { resource: mcpResource },
    ...insecure,
  });
  return { response, params };
}

async function tokensFor(client: oauth.Client, auth: oauth.ClientAuth, cookie = member.cookie, scope?: string) {
  const flow = await authorize({ clientId: client.client_id, cookie, scope });
  const { response } = await exchange(client, auth, flow.location!, flow.verifier);
  return oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: false });
}

function userInfo(accessToken: string) {
  return fetch(as.userinfo_endpoint!, { headers: { authorization: `Bearer ${accessToken}` } });
}

async function tokenEndpoint(body: string | URLSearchParams, headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" }) {
  const response = await fetch(as.token_endpoint!, { method: "POST", headers, body });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as { error?: string } };
}

describe("discovery", () => {
  test("every URL an MCP client probes serves the same issuer, S256 only and RFC 9207 iss support", async () => {
    const urls = [
      "/.well-known/oauth-authorization-server/api/auth",
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration/api/auth",
      "/.well-known/openid-configuration",
      "/api/auth/.well-known/openid-configuration",
    ];
    for (const path of urls) {
      const response = await fetch(`${server.baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("access-control-allow-origin"), path).toBe("*");
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata.issuer, path).toBe(issuer.href);
      expect(metadata.code_challenge_methods_supported, path).toEqual(["S256"]);
      expect(metadata.authorization_response_iss_parameter_supported, path).toBe(true);
      expect(metadata.scopes_supported, path).toEqual(expect.arrayContaining(["mcp:read", "mcp:write", "mcp:admin", "offline_access"]));
    }
    const oidc = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...insecure }));
    expect(oidc.jwks_uri).toBe(`${issuer.href}/jwks`);
    expect(oidc.revocation_endpoint).toBeDefined();
    expect(oidc.introspection_endpoint).toBeDefined();
    expect(oidc.registration_endpoint).toBeDefined();
  });

  test("a foreign issuer path is not ours", async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server/tenant/other`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "not_found" });
  });
});

describe("a dynamically registered public client", () => {
  let client: oauth.Client;

  beforeAll(async () => {
    const registration = await oauth.dynamicClientRegistrationRequest(
      as,
      {
        client_name: "Spec CLI",
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        scope: "openid offline_access mcp:read",
      },
      insecure,
    );
    client = (await oauth.processDynamicClientRegistrationResponse(registration)) as oauth.Client;
  });

  test("goes through PKCE + resource + state + consent and receives an RFC 9068 access token for the MCP resource", async () => {
    const flow = await authorize({ clientId: client.client_id, cookie: member.cookie, state: "xyz-state" });
    expect(flow.consentShown).toBe(true);
    expect(flow.location!.origin + flow.location!.pathname).toBe(REDIRECT);
    expect(flow.location!.searchParams.get("state")).toBe("xyz-state");
    expect(flow.location!.searchParams.get("iss")).toBe(issuer.href);

    const { response } = await exchange(client, oauth.None(), flow.location!, flow.verifier, "xyz-state");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
    expect(tokens.refresh_token).toBeTruthy();

    const claims = await accessTokenClaims(tokens.access_token);
    expect(claims).toMatchObject({ iss: issuer.href, sub: member.userId, client_id: client.client_id, scope: "openid offline_access mcp:read" });
    expect(claims.exp - claims.iat).toBe(15 * 60);
    expect(typeof claims.jti).toBe("string");

    const info = await oauth.processUserInfoResponse(as, client, member.userId, await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
    expect(info.sub).toBe(member.userId);
  });

  test("refresh rotates; the rotated token repeats the same answer within the reuse window, and presented after it revokes the whole grant", async () => {
    const first = await tokensFor(client, oauth.None());
    const rotated = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first.refresh_token!, insecure),
    );
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.scope).toBe(first.scope);
    expect((await userInfo(rotated.access_token)).status).toBe(200);

    // A parallel refresh that lost the race to the rotation: same tokens, no theft.
    const repeated = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first.refresh_token!, insecure),
    );
    expect(repeated).toMatchObject({ access_token: rotated.access_token, refresh_token: rotated.refresh_token, scope: rotated.scope });

    await server.database.db
      .update(refreshExchange)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshExchange.presentedTokenHash, storedSecretHash(first.refresh_token!)));
    const reuse = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first.refresh_token!, insecure);
    await expect(oauth.processRefreshTokenResponse(as, client, reuse)).rejects.toMatchObject({ error: "invalid_grant" });

    const afterReuse = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), rotated.refresh_token!, insecure);
    await expect(oauth.processRefreshTokenResponse(as, client, afterReuse)).rejects.toMatchObject({ error: "invalid_grant" });
    const revokedAt = await userInfo(rotated.access_token);
    expect(revokedAt.status).toBe(401);
    expect(revokedAt.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const events = await server.database.db.select().from(auditEvent).where(eq(auditEvent.action, "oauth.refresh_token_reused"));
    expect(events.length).toBeGreaterThan(0);
  });

  test("a remembered consent skips the page until the user disconnects the app", async () => {
    const again = await authorize({ clientId: client.client_id, cookie: member.cookie });
    expect(again.consentShown).toBe(false);
    expect(again.location!.searchParams.get("code")).toBeTruthy();

    const context = await createTRPCContext({ db: server.database.db, auth: server.auth, headers: new Headers({ cookie: member.cookie }) });
    const caller = createCaller(context);
    // Rows the provider wrote (the consent, the registered client) read back as real arrays.
    const apps = await caller.account.connectedApps();
    expect(apps.find((app) => app.clientId === client.client_id)?.scopes).toEqual(["openid", "offline_access", "mcp:read"]);
    const ownerCaller = createCaller(
      await createTRPCContext({ db: server.database.db, auth: server.auth, headers: new Headers({ cookie: owner.cookie }) }),
    );
    expect(await ownerCaller.clients.get({ clientId: client.client_id })).toMatchObject({ redirectUris: [REDIRECT], origin: "dynamic" });
    await caller.account.revokeApp({ clientId: client.client_id });
    expect((await authorize({ clientId: client.client_id, cookie: member.cookie })).consentShown).toBe(true);
  });

  test("signing out of the browser session that authorized a token ends the token, as the provider's introspection does", async () => {
    const person = await signUp(server.auth);
    const tokens = await tokensFor(client, oauth.None(), person.cookie);
    expect((await userInfo(tokens.access_token)).status).toBe(200);
    const signOut = await fetch(`${server.baseUrl}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie: person.cookie, origin: server.baseUrl, "content-type": "application/json" },
      body: "{}",
    });
    expect(signOut.status).toBe(200);
    expect((await userInfo(tokens.access_token)).status).toBe(401);
    const jti = String(decodeJwt(tokens.access_token).jti);
    const [row] = await server.database.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, jti));
    expect(row?.revokedReason).toBe("session_ended");
  });

  test("Deny sends access_denied back to the client", async () => {
    const other = await signUp(server.auth);
    const flow = await authorize({ clientId: client.client_id, cookie: other.cookie, consent: "deny" });
    expect(flow.location!.searchParams.get("error")).toBe("access_denied");
    expect(flow.location!.searchParams.get("code")).toBeNull();
  });
});

describe("sign-in and trusted clients", () => {
  test("a signed-out user is sent to Gatehouse's sign-in page with the signed request", async () => {
    const { client } = await consoleClient("public");
    const flow = await authorize({ clientId: client.client_id, cookie: "" });
    expect(flow.location?.pathname).toBe("/sign-in");
    expect(flow.location?.searchParams.get("client_id")).toBe(client.client_id);
    expect(flow.location?.searchParams.get("sig")).toBeTruthy();
  });

  test("a client an admin marked trusted skips the consent page, even for a scope never granted: the one exception", async () => {
    const created = await server.database.db.transaction((tx) =>
      createClient(
        tx,
        { name: "First party", type: "public", redirectUris: [REDIRECT], scopes: ["openid", "mcp:read", "mcp:admin"], authMethod: "client_secret_basic", domainId: null, skipConsent: true },
        { createdBy: owner.userId, mcpResource },
      ),
    );
    const flow = await authorize({ clientId: created.client.clientId, cookie: member.cookie, scope: "openid mcp:read" });
    expect(flow.consentShown).toBe(false);
    expect(flow.location?.searchParams.get("code")).toBeTruthy();
    const wider = await authorize({ clientId: created.client.clientId, cookie: member.cookie, scope: "openid mcp:read mcp:admin" });
    expect(wider.consentShown).toBe(false);
    expect(wider.location?.searchParams.get("code")).toBeTruthy();
  });

  test("consent is asked again, and no code issued, when a client asks for a scope the person has not granted it", async () => {
    const { client } = await consoleClient("public", ["openid", "mcp:read", "mcp:admin"]);
    const person = await signUp(server.auth);
    // Someone whose roles use mcp:admin: a member's request would be narrowed to mcp:read before consent.
    await grantRole(server.database.db, person.userId, ADMIN_ROLE_ID);
    const granted = await authorize({ clientId: client.client_id, cookie: person.cookie, scope: "mcp:read" });
    expect(granted.consentShown).toBe(true);
    expect((await authorize({ clientId: client.client_id, cookie: person.cookie, scope: "mcp:read" })).consentShown).toBe(false);

    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const wider = await fetch(authorizeUrl({ clientId: client.client_id, cookie: person.cookie, scope: "mcp:read mcp:admin" }, challenge), {
      headers: { cookie: person.cookie },
      redirect: "manual",
    });
    const target = new URL(((await wider.json()) as { url: string }).url, server.baseUrl);
    expect(target.pathname).toBe("/consent");
    expect(target.searchParams.get("scope")).toBe("mcp:read mcp:admin");
    expect(target.searchParams.get("code")).toBeNull();
  });
});

describe("a confidential client registered in the console", () => {
  test("authenticates with the method it registered, introspects, and revokes its access token with RFC 7009", async () => {
    const { client, secret } = await consoleClient("confidential", undefined, "client_secret_post");
    const tokens = await tokensFor(client, oauth.ClientSecretPost(secret!));
    const basicInstead = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret!), new URLSearchParams({ scope: "mcp:read" }), insecure);
    expect(await basicInstead.json()).toMatchObject({ error: "invalid_client" });

    const introspected = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, oauth.ClientSecretPost(secret!), tokens.access_token, insecure),
    );
    expect(introspected).toMatchObject({ active: true, client_id: client.client_id, sub: member.userId });

    const revocation = await oauth.revocationRequest(as, client, oauth.ClientSecretPost(secret!), tokens.access_token, insecure);
    expect(revocation.status, await revocation.clone().text()).toBe(200);
    await oauth.processRevocationResponse(revocation);

    const after = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, oauth.ClientSecretPost(secret!), tokens.access_token, insecure),
    );
    expect(after.active).toBe(false);
    expect((await userInfo(tokens.access_token)).status).toBe(401);
  });

  test("a confidential client introspects only its own tokens, until an administrator marks it a resource server", async () => {
    const issuing = await consoleClient("confidential");
    const other = await consoleClient("confidential");
    const tokens = await tokensFor(issuing.client, oauth.ClientSecretBasic(issuing.secret!));
    const introspect = async ({ client, secret }: { client: oauth.Client; secret: string | null }) =>
      oauth.processIntrospectionResponse(
        as,
        client,
        await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(secret!), tokens.access_token, insecure),
      );

    expect(await introspect(issuing)).toMatchObject({ active: true, client_id: issuing.client.client_id });
    expect(await introspect(other)).toEqual({ active: false });

    const asOwner = createCaller(
      await createTRPCContext({ db: server.database.db, auth: server.auth, headers: new Headers({ cookie: owner.cookie }) }),
    );
    await asOwner.clients.update({ clientId: other.client.client_id, resourceServer: true });
    expect(await introspect(other)).toMatchObject({ active: true, client_id: issuing.client.client_id, sub: member.userId });
  });

  test("revocation and introspection of a malformed token or a JWT Gatehouse did not sign answer 200 and active:false, never 500", async () => {
    const { client, secret } = await consoleClient("confidential", undefined, "client_secret_post");
    const real = (await tokensFor(client, oauth.ClientSecretPost(secret!))).access_token;
    const [header, payload] = real.split(".");
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const claims = decodeJwt(real);
    const presented = {
      "not a JWT": "not-a-token",
      "three empty-ish parts": "a.b.c",
      "alg none": `${part({ alg: "none", typ: "at+jwt" })}.${payload}.`,
      "alg none with a signature": `${part({ alg: "none" })}.${part({ ...claims, scope: "mcp:admin" })}.c2ln`,
      "a signature that does not match": `${header}.${part({ ...claims, scope: "mcp:admin" })}.${real.split(".")[2]}`,
      "an unknown key": `${part({ alg: "EdDSA", kid: "someone-elses-key", typ: "at+jwt" })}.${payload}.${real.split(".")[2]}`,
      "a broken header": `%%%.${payload}.sig`,
    };
    for (const [name, token] of Object.entries(presented)) {
      const form = new URLSearchParams({ token, client_id: client.client_id, client_secret: secret! });
      const headers = { "content-type": "application/x-www-form-urlencoded" };
      const revoked = await fetch(as.revocation_endpoint!, { method: "POST", headers, body: form });
      expect({ name, status: revoked.status }).toEqual({ name, status: 200 });
      const introspected = await fetch(as.introspection_endpoint!, { method: "POST", headers, body: form });
      expect({ name, status: introspected.status, body: await introspected.json() }).toEqual({ name, status: 200, body: { active: false } });
    }
    // A client that fails to authenticate is still told so, and the real token was never touched.
    for (const endpoint of [as.revocation_endpoint!, as.introspection_endpoint!]) {
      const unauthenticated = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: presented["alg none"], client_id: client.client_id, client_secret: "wrong" }),
      });
      expect(unauthenticated.status).toBe(400);
      expect(await unauthenticated.json()).toMatchObject({ error: "invalid_client" });
    }
    expect((await userInfo(real)).status).toBe(200);
  });

  test("client_credentials gives a token that acts for the client itself", async () => {
    const { client, secret } = await consoleClient("confidential");
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(secret!),
      new URLSearchParams({ scope: "mcp:read", resource: mcpResource }),
      insecure,
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    const claims = await accessTokenClaims(tokens.access_token);
    expect(claims.sub).toBe(client.client_id);
    const [row] = await server.database.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, String(claims.jti)));
    expect(row).toMatchObject({ userId: null, grantType: "client_credentials" });
  });

  test("a wrong secret is invalid_client, and a rotated secret stops working at once", async () => {
    const { client, secret } = await consoleClient("confidential");
    const wrong = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic("not-the-secret"), new URLSearchParams({ scope: "mcp:read" }), insecure);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });

    await server.database.db.transaction(async (tx) => {
      await rotateClientSecret(tx, client.client_id);
    });
    const old = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret!), new URLSearchParams({ scope: "mcp:read" }), insecure);
    expect(old.status).toBe(401);
  });

  test("a disabled client gets invalid_client", async () => {
    const { client, secret } = await consoleClient("confidential");
    await server.database.db.transaction((tx) => setClientDisabled(tx, client.client_id, true));
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret!), new URLSearchParams({ scope: "mcp:read" }), insecure);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });
});

describe("bad input", () => {
  let client: oauth.Client;
  beforeAll(async () => {
    ({ client } = await consoleClient("public"));
  });

  test("a missing or plain PKCE challenge is refused", async () => {
    const missing = await authorize({ clientId: client.client_id, cookie: member.cookie, params: { code_challenge: null, code_challenge_method: null } });
    expect(missing.location?.searchParams.get("error")).toBe("invalid_request");
    const plain = await authorize({ clientId: client.client_id, cookie: member.cookie, params: { code_challenge: "a".repeat(43), code_challenge_method: "plain" } });
    expect(plain.location?.searchParams.get("error")).toBe("invalid_request");
    expect(plain.location?.searchParams.get("code")).toBeNull();
  });

  test("an unregistered redirect URI or an unknown client never redirects to the given URI", async () => {
    for (const options of [
      { clientId: client.client_id, redirectUri: "https://attacker.example/callback" },
      { clientId: client.client_id, redirectUri: "http://127.0.0.1:45123/other-path" },
      { clientId: "no-such-client", redirectUri: REDIRECT },
    ]) {
      const flow = await authorize({ ...options, cookie: member.cookie });
      expect(flow.response.status).toBeLessThan(500);
      const location = flow.location?.href ?? "";
      expect(location.startsWith(options.redirectUri)).toBe(false);
    }
  });

  test("a wrong verifier, a replayed code, an expired code and a wrong resource get the RFC errors", async () => {
    const flow = await authorize({ clientId: client.client_id, cookie: member.cookie });
    const wrongVerifier = await exchange(client, oauth.None(), flow.location!, oauth.generateRandomCodeVerifier());
    await expect(oauth.processAuthorizationCodeResponse(as, client, wrongVerifier.response)).rejects.toMatchObject({ error: "invalid_grant" });

    const fresh = await authorize({ clientId: client.client_id, cookie: member.cookie });
    const first = await oauth.processAuthorizationCodeResponse(as, client, (await exchange(client, oauth.None(), fresh.location!, fresh.verifier)).response);
    const replay = await exchange(client, oauth.None(), fresh.location!, fresh.verifier);
    await expect(oauth.processAuthorizationCodeResponse(as, client, replay.response)).rejects.toMatchObject({ error: "invalid_grant" });
    // A replayed code revokes what it issued.
    expect((await userInfo(first.access_token)).status).toBe(401);

    const expiring = await authorize({ clientId: client.client_id, cookie: member.cookie });
    await server.database.db.update(verification).set({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await exchange(client, oauth.None(), expiring.location!, expiring.verifier);
    await expect(oauth.processAuthorizationCodeResponse(as, client, expired.response)).rejects.toMatchObject({ error: "invalid_grant" });

    const wrongResource = await authorize({ clientId: client.client_id, cookie: member.cookie, params: { resource: "https://elsewhere.example/api" } });
    expect(wrongResource.location?.searchParams.get("error")).toBe("invalid_target");

    const granted = await authorize({ clientId: client.client_id, cookie: member.cookie });
    const otherAudience = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      oauth.validateAuthResponse(as, client, granted.location!, "state-1"),
      REDIRECT,
      granted.verifier,
      { additionalParameters: { resource: "https://elsewhere.example/api" }, ...insecure },
    );
    await expect(oauth.processAuthorizationCodeResponse(as, client, otherAudience)).rejects.toMatchObject({ error: "invalid_target" });

    const failures = await server.database.db.select().from(auditEvent).where(eq(auditEvent.action, "oauth.token_failed"));
    expect(failures.some((event) => event.targetId === client.client_id)).toBe(true);
  });

  test("a scope the client may not ask for is invalid_scope, and the refusal is audited", async () => {
    const { client: narrow } = await consoleClient("public", ["openid", "mcp:read"]);
    const flow = await authorize({ clientId: narrow.client_id, cookie: member.cookie, scope: "openid mcp:admin" });
    expect(flow.location?.searchParams.get("error")).toBe("invalid_scope");
    const events = await server.database.db.select().from(auditEvent).where(eq(auditEvent.targetId, narrow.client_id));
    expect(events.map((event) => [event.action, event.details.error])).toContainEqual(["oauth.authorize_failed", "invalid_scope"]);
  });

  test("malformed token requests get 4xx JSON errors, never a 500", async () => {
    const cases: [string | URLSearchParams, Record<string, string>][] = [
      ["{not json", { "content-type": "application/json" }],
      ["", { "content-type": "application/x-www-form-urlencoded" }],
      [new URLSearchParams({ grant_type: "password", username: "a", password: "b" }), { "content-type": "application/x-www-form-urlencoded" }],
      [new URLSearchParams({ grant_type: "authorization_code", client_id: client.client_id }), { "content-type": "application/x-www-form-urlencoded" }],
      ["%%%&&&==", { "content-type": "application/x-www-form-urlencoded" }],
    ];
    for (const [body, headers] of cases) {
      const result = await tokenEndpoint(body, headers);
      expect(result.status, String(body)).toBeGreaterThanOrEqual(400);
      expect(result.status, String(body)).toBeLessThan(500);
      expect(typeof result.body.error, String(body)).toBe("string");
    }
  });

  test("userinfo refuses an access token in the query string", async () => {
    const tokens = await tokensFor(client, oauth.None());
    const response = await fetch(`${as.userinfo_endpoint}?access_token=${tokens.access_token}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });
});

describe("registration policy", () => {
  const metadata = (method: string, redirect = REDIRECT) => ({
    client_name: "Policy probe",
    redirect_uris: [redirect],
    token_endpoint_auth_method: method,
    grant_types: ["authorization_code"],
    response_types: ["code"],
  });
  const register = (target: OAuthTestServer, body: unknown) =>
    fetch(`${target.baseUrl}/api/auth/oauth2/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  test("a registration without scope is stored with mcp:read and offline_access, which is what a request without scope gets; tiers asked for by name are granted as far as the person's roles go", async () => {
    const response = await register(server, metadata("none"));
    expect(response.status).toBe(201);
    const registered = (await response.json()) as { client_id: string; scope: string };
    expect(registered.scope).toBe("mcp:read offline_access");
    const [row] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, registered.client_id));
    expect(row?.scopes).toEqual(["mcp:read", "offline_access"]);
    const client = { client_id: registered.client_id };
    const grantedScope = async (flow: Awaited<ReturnType<typeof authorize>>) =>
      (await oauth.processAuthorizationCodeResponse(as, client, (await exchange(client, oauth.None(), flow.location!, flow.verifier)).response)).scope;

    // A member asked for the admin tier is asked about, and granted, mcp:read only.
    const narrowed = await authorize({ clientId: registered.client_id, cookie: member.cookie, scope: "mcp:read mcp:admin" });
    expect(narrowed.location?.searchParams.get("error")).toBeNull();
    expect(await grantedScope(narrowed)).toBe("mcp:read");
    // The owner asked for it is granted it; the client may ask for it from now on.
    const admin = await authorize({ clientId: registered.client_id, cookie: owner.cookie, scope: "mcp:read mcp:admin" });
    expect(await grantedScope(admin)).toBe("mcp:read mcp:admin");
    const [widened] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, registered.client_id));
    expect(widened?.scopes).toEqual(["mcp:read", "offline_access", "mcp:admin"]);
    const requested = await server.database.db.select().from(auditEvent).where(eq(auditEvent.targetId, registered.client_id));
    expect(requested.filter((event) => event.action === "client.scopes_requested").map((event) => event.details.added)).toEqual([["mcp:admin"]]);

    // Asking for no scope at all still gets the registration's scopes, not the admin tier, for anyone.
    const unnamed = await authorize({ clientId: registered.client_id, cookie: owner.cookie, params: { scope: null } });
    expect(await grantedScope(unnamed)).toBe("mcp:read offline_access");
  });

  test("registration refuses oversized or unsafe metadata with invalid_client_metadata or invalid_redirect_uri, never echoing the value, and stores nothing", async () => {
    const long = (length: number) => `https://app.example/${"a".repeat(length)}`;
    const cases: [string, Record<string, unknown>, string][] = [
      ["eleven redirect URIs", { redirect_uris: Array.from({ length: 11 }, (_, index) => `http://127.0.0.1:4000/cb/${index}`) }, "invalid_redirect_uri"],
      ["a redirect URI over 2000 characters", { redirect_uris: [`http://127.0.0.1:4000/${"r".repeat(2000)}`] }, "invalid_redirect_uri"],
      ["a client_name over 100 characters", { client_name: "n".repeat(101) }, "invalid_client_metadata"],
      ["a logo_uri over 2000 characters", { logo_uri: long(2000) }, "invalid_client_metadata"],
      ["an http logo_uri", { logo_uri: "http://app.example/logo.png" }, "invalid_client_metadata"],
      ["a logo_uri on a private IPv4 address", { logo_uri: "https://192.168.1.20/logo.png" }, "invalid_client_metadata"],
      ["a logo_uri on a numeric loopback address", { logo_uri: "https://2130706433/logo.png" }, "invalid_client_metadata"],
      ["a client_uri on an IPv6 literal", { client_uri: "https://[fd00::1]/" }, "invalid_client_metadata"],
      ["a client_uri on the cloud metadata address", { client_uri: "https://169.254.169.254/latest" }, "invalid_client_metadata"],
      ["a policy_uri on localhost", { policy_uri: "https://localhost./policy" }, "invalid_client_metadata"],
      ["a policy_uri under .localhost", { policy_uri: "https://app.localhost/policy" }, "invalid_client_metadata"],
      ["a tos_uri under .local", { tos_uri: "https://printer.local/tos" }, "invalid_client_metadata"],
      ["a tos_uri under .internal", { tos_uri: "https://vault.internal/tos" }, "invalid_client_metadata"],
      ["a tos_uri on a single-label host", { tos_uri: "https://intranet/tos" }, "invalid_client_metadata"],
      ["a logo_uri that is not a URL", { logo_uri: "javascript:alert(1)" }, "invalid_client_metadata"],
      ["skip_consent", { skip_consent: true }, "invalid_client_metadata"],
      ["skipConsent", { skipConsent: true }, "invalid_client_metadata"],
      ["six contacts", { contacts: ["a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example", "f@x.example"] }, "invalid_client_metadata"],
    ];
    const clientsBefore = await server.database.db.$count(oauthClient);
    for (const [name, override, error] of cases) {
      const response = await register(server, { ...metadata("none", "http://127.0.0.1:4000/cb"), ...override });
      const body = (await response.json()) as { error?: string; error_description?: string };
      expect({ name, status: response.status, error: body.error }).toEqual({ name, status: 400, error });
      const sent = Object.values(override).flat().filter((value): value is string => typeof value === "string" && value.length > 3);
      for (const value of sent) expect(body.error_description, name).not.toContain(value);
    }
    expect(await server.database.db.$count(oauthClient)).toBe(clientsBefore);

    const fine = await register(server, {
      ...metadata("none", "http://127.0.0.1:4000/cb"),
      client_name: "n".repeat(100),
      redirect_uris: Array.from({ length: 10 }, (_, index) => `http://127.0.0.1:4000/cb/${index}`),
      logo_uri: "https://cdn.app.example/logo.png",
      client_uri: "https://app.example/",
      policy_uri: "https://app.example/privacy",
      tos_uri: "https://app.example/terms",
    });
    expect(fine.status).toBe(201);
  });
});

describe("granted scopes, as a strict client reads them", () => {
  test("a member asking for every tier gets a token response whose scope names only what was granted, kept across refreshes; a refresh asking for more is invalid_scope", async () => {
    const client: oauth.Client = { client_id: await registerPublicClient(server, "Strict client", REDIRECT), token_endpoint_auth_method: "none" };
    const flow = await authorize({ clientId: client.client_id, cookie: member.cookie, scope: "openid offline_access mcp:read mcp:write mcp:admin" });
    const { response } = await exchange(client, oauth.None(), flow.location!, flow.verifier);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
    expect(tokens.scope).toBe("openid offline_access mcp:read");
    expect(tokens.refresh_token).toBeTruthy();
    const claims = await accessTokenClaims(tokens.access_token);
    expect(claims.scope).toBe("openid offline_access mcp:read");

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure),
    );
    expect(refreshed.scope).toBe("openid offline_access mcp:read");

    const wider = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, {
      additionalParameters: { scope: "openid offline_access mcp:read mcp:admin" },
      ...insecure,
    });
    await expect(oauth.processRefreshTokenResponse(as, client, wider)).rejects.toMatchObject({ error: "invalid_scope" });
    // The refused request rotated nothing: the refresh token it presented still works.
    const after = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, insecure),
    );
    expect(after.scope).toBe("openid offline_access mcp:read");
  });
});
