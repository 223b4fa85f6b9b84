import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  OWNER_ROLE_ID,
  domain,
  issuedAccessToken,
  oauthAccessToken,
  oauthConsent,
  oauthRefreshToken,
  role,
} from "@/db/schema";
import { createClient } from "@/server/clients/commands";
import { storedSecretHash } from "@/server/oauth/config";
import { TEST_PASSWORD, cookieHeader, signUp } from "@/server/testing/auth";
import { createDomain, grantRole } from "@/server/testing/authz";
import { walkRequestInit, type WalkRequest } from "@/server/testing/http-request";
import { authorizeInBrowser, pkceChallenge, postMcp } from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { enrolTotp, insertPasskeyRow } from "@/server/testing/two-factor";
import { createOwner } from "@/server/setup/owner";
import { AUTH_ENDPOINT_ACCESS, AUTH_ENDPOINTS_NOT_SERVED, type AuthEndpoint } from "../route-access";
import { MFA_ENROLMENT_REQUIRED_CODE } from "./mfa-gate";

const REDIRECT = "http://127.0.0.1:45999/callback";

let server: OAuthTestServer;
let owner: { userId: string; email: string; cookie: string };

beforeAll(async () => {
  // Owner and admin require a second factor, as migrated.
  server = await startOAuthTestServer({ database: { roleMfaRequirement: "as-migrated" } });
  const email = `owner-${randomUUID()}@example.com`;
  const { userId } = await createOwner({ db: server.database.db, auth: server.auth }, { name: "Owner", email, password: TEST_PASSWORD });
  owner = { userId, email, cookie: await signInCookie(email) };
});

afterAll(() => server?.close());

// ---------------------------------------------------------------------------------------------------
// Helpers

function send(path: string, init: WalkRequest = {}) {
  return fetch(`${server.baseUrl}${path}`, walkRequestInit(server.baseUrl, init));
}

async function signInCookie(email: string): Promise<string> {
  const response = await send("/api/auth/sign-in/email", { json: { email, password: TEST_PASSWORD } });
  expect(response.status, await response.clone().text()).toBe(200);
  return cookieHeader(response);
}

/** A user holding only `member`, in a domain of their own whose MFA policy the test can switch. */
async function memberInDomain() {
  const account = await signUp(server.auth);
  const tenant = await createDomain(server.database.db);
  await grantRole(server.database.db, account.userId, MEMBER_ROLE_ID, tenant.id);
  return { ...account, domainId: tenant.id };
}

async function setDomainPolicy(domainId: string, mfaPolicy: "off" | "required") {
  await server.database.db.update(domain).set({ mfaPolicy }).where(eq(domain.id, domainId));
}

async function setRoleRequirement(roleId: string, requiresMfa: boolean) {
  await server.database.db.update(role).set({ requiresMfa }).where(eq(role.id, roleId));
}

interface TestClient {
  clientId: string;
  /** Present for a confidential client, which authenticates with client_secret_post. */
  secret?: string;
}

/** A confidential client made on the console, which may also introspect. */
async function consoleClient(): Promise<TestClient> {
  const created = await server.database.db.transaction((tx) =>
    createClient(
      tx,
      {
        name: "Gate probe (confidential)",
        type: "confidential",
        redirectUris: [REDIRECT],
        scopes: ["openid", "offline_access", "mcp:read"],
        authMethod: "client_secret_post",
        domainId: null,
        skipConsent: false,
      },
      { createdBy: owner.userId, mcpResource: `${server.baseUrl}/mcp` },
    ),
  );
  return { clientId: created.client.clientId, secret: created.clientSecret! };
}

const clientFields = (client: TestClient): Record<string, string> => ({
  client_id: client.clientId,
  ...(client.secret ? { client_secret: client.secret } : {}),
});

/** A public client registered the way MCP clients register, with refresh tokens. */
async function registerClient(scope = "openid offline_access mcp:read mcp:write mcp:admin"): Promise<string> {
  const response = await send("/api/auth/oauth2/register", {
    json: {
      client_name: "Gate probe",
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      scope,
    },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { client_id: string }).client_id;
}

function authorizeUrl(clientId: string, scope: string, verifier: string): URL {
  const url = new URL(`${server.baseUrl}/api/auth/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: "gate",
    code_challenge: pkceChallenge(verifier),
    code_challenge_method: "S256",
    resource: `${server.baseUrl}/mcp`,
  }).toString();
  return url;
}

/** Authorize and consent as `cookie`; the code that lands on the redirect URI, and its verifier. */
async function authorizationCode(cookie: string, clientId: string, scope = "offline_access mcp:read") {
  const verifier = randomBytes(32).toString("base64url");
  const { location } = await authorizeInBrowser(authorizeUrl(clientId, scope, verifier), { cookie });
  const code = location.searchParams.get("code");
  expect(code, location.href).toBeTruthy();
  return { code: code!, verifier };
}

function redeem(client: TestClient, { code, verifier }: { code: string; verifier: string }, resource: string | null = `${server.baseUrl}/mcp`) {
  return send("/api/auth/oauth2/token", {
    form: {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      ...clientFields(client),
      ...(resource ? { resource } : {}),
    },
  });
}

function refresh(client: TestClient, refreshToken: string) {
  return send("/api/auth/oauth2/token", {
    form: { grant_type: "refresh_token", refresh_token: refreshToken, ...clientFields(client), resource: `${server.baseUrl}/mcp` },
  });
}

async function tokens(client: TestClient, cookie: string) {
  const response = await redeem(client, await authorizationCode(cookie, client.clientId, "openid offline_access mcp:read"));
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

const introspect = (client: TestClient, token: string) => send("/api/auth/oauth2/introspect", { form: { token, ...clientFields(client) } });

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json().catch(() => ({}))) as Record<string, unknown>;
}

function expectEnrolmentRedirect(target: string | null | undefined) {
  expect(target).toBeTruthy();
  const url = new URL(target!, server.baseUrl);
  expect(url.pathname).toBe("/enrol-mfa");
  const next = new URL(url.searchParams.get("next") ?? "", server.baseUrl);
  expect(next.pathname).toBe("/api/auth/oauth2/authorize");
  return next;
}

/**
 * Refusals that mean "the MFA policy says no". Gatehouse's own before hooks run ahead of plugins, so
 * switching off a factor a policy requires is refused by the factor guard before the gate sees it.
 */
const POLICY_REFUSALS = new Set([MFA_ENROLMENT_REQUIRED_CODE, "MFA_REQUIRED_BY_POLICY"]);

/** A request for every endpoint of the table, with sample path parameters and an empty body. */
function requestFor(endpoint: AuthEndpoint, cookie: string) {
  const [method, template] = endpoint.split(" ") as [string, string];
  const path = template.replace(/:[a-z_]+/gi, "sample");
  return send(`/api/auth${path}`, { method, cookie, ...(method === "GET" || method === "DELETE" ? {} : { json: {} }) });
}

// ---------------------------------------------------------------------------------------------------

describe("the declared table", () => {
  test("names every endpoint the auth instance has, by method and path, and nothing else", async () => {
    const served = new Set<string>();
    const notServed = new Set<string>();
    const disabled = new Set(server.auth.options.disabledPaths ?? []);
    for (const endpoint of Object.values(server.auth.api) as { path?: string; options?: { method?: string | string[]; metadata?: { SERVER_ONLY?: boolean } } }[]) {
      // Endpoints without a path are callable only as functions, never routed, so no hook sees a path for them.
      if (!endpoint.path) continue;
      const methods = endpoint.options?.method ?? [];
      for (const method of Array.isArray(methods) ? methods : [methods]) {
        const key = `${method} ${endpoint.path}`;
        served.add(key);
        if (endpoint.options?.metadata?.SERVER_ONLY || disabled.has(endpoint.path)) notServed.add(key);
      }
    }
    expect([...served].sort()).toEqual(Object.keys(AUTH_ENDPOINT_ACCESS).sort());
    expect([...notServed].sort()).toEqual([...AUTH_ENDPOINTS_NOT_SERVED].sort());
  });
});

describe("better-auth endpoints", () => {
  test("every gated endpoint refuses a signed-in owner who must enrol: 403 MFA_ENROLMENT_REQUIRED, or 404 where it is not served", async () => {
    const user = await signUp(server.auth);
    await grantRole(server.database.db, user.userId, ADMIN_ROLE_ID);
    const gated = (Object.entries(AUTH_ENDPOINT_ACCESS) as [AuthEndpoint, string][]).filter(
      ([endpoint, access]) => access === "gated" && !endpoint.includes("/oauth2/authorize"),
    );
    const answers: string[] = [];
    for (const [endpoint] of gated) {
      const response = await requestFor(endpoint, user.cookie);
      const body = await jsonOf(response);
      const expected = AUTH_ENDPOINTS_NOT_SERVED.has(endpoint) ? "404" : "403 refused by the MFA policy";
      const policyRefusal = response.status === 403 && POLICY_REFUSALS.has(String(body.code));
      const got = response.status === 404 ? "404" : policyRefusal ? "403 refused by the MFA policy" : String(response.status);
      if (got !== expected) answers.push(`${endpoint}: expected ${expected}, got ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    }
    expect(answers).toEqual([]);
    // The account is untouched: still signed in, the same session.
    expect((await jsonOf(await send("/api/auth/get-session", { cookie: user.cookie }))).user).toMatchObject({ id: user.userId });
  });

  test("the refusal names the policy and says where to go; OAuth endpoints add RFC 6749 fields", async () => {
    const response = await send("/api/auth/list-sessions", { cookie: owner.cookie });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      code: MFA_ENROLMENT_REQUIRED_CODE,
      message: 'MFA enrolment required: your role "owner" requires a second factor. Set up an authenticator app or a passkey on Account > Security.',
    });
    const consent = await send("/api/auth/oauth2/consent", { cookie: owner.cookie, json: { accept: true, oauth_query: "" } });
    expect(consent.status).toBe(403);
    expect(await consent.json()).toMatchObject({ code: MFA_ENROLMENT_REQUIRED_CODE, error: "access_denied" });
  });

  test("enrolment and sign-out stay open to a user who must enrol", async () => {
    const user = await signUp(server.auth);
    await grantRole(server.database.db, user.userId, ADMIN_ROLE_ID);
    const enrolment = (Object.entries(AUTH_ENDPOINT_ACCESS) as [AuthEndpoint, string][]).filter(([, access]) => access === "enrolment");
    const refused: string[] = [];
    for (const [endpoint] of enrolment) {
      if (endpoint === "POST /sign-out") continue;
      const response = await requestFor(endpoint, user.cookie);
      const body = await jsonOf(response);
      if (body.code === MFA_ENROLMENT_REQUIRED_CODE) refused.push(endpoint);
    }
    expect(refused).toEqual([]);
    const { cookie } = await enrolTotp(server.auth, user.cookie);
    expect((await send("/api/auth/list-sessions", { cookie })).status).toBe(200);
    expect((await send("/api/auth/sign-out", { cookie, json: {} })).status).toBe(200);
  });

  test("a gated endpoint answers an enrolled user, and anyone whose roles require nothing, as before", async () => {
    const member = await signUp(server.auth);
    expect((await send("/api/auth/list-sessions", { cookie: member.cookie })).status).toBe(200);
  });
});

describe("authorization and consent", () => {
  test("an owner who must enrol approving consent for an mcp:admin token is refused, and no consent or code is left behind", async () => {
    const clientId = await registerClient();
    const verifier = randomBytes(32).toString("base64url");
    // The consent page was shown before the policy applied (a signed request in hand), then it applies.
    await setRoleRequirement(OWNER_ROLE_ID, false);
    const first = await fetch(authorizeUrl(clientId, "mcp:admin", verifier), { headers: { cookie: owner.cookie }, redirect: "manual" });
    const consentPage = new URL(((await first.json()) as { url: string }).url, server.baseUrl);
    expect(consentPage.pathname).toBe("/consent");
    await setRoleRequirement(OWNER_ROLE_ID, true);

    const consent = await send("/api/auth/oauth2/consent", { cookie: owner.cookie, json: { accept: true, oauth_query: consentPage.search.slice(1) } });
    expect(consent.status).toBe(403);
    const body = await jsonOf(consent);
    expect(body).toMatchObject({ code: MFA_ENROLMENT_REQUIRED_CODE });
    expect(JSON.stringify(body)).not.toContain("code=");
    const consents = await server.database.db.$count(oauthConsent, and(eq(oauthConsent.userId, owner.userId), eq(oauthConsent.clientId, clientId)));
    expect(consents).toBe(0);

    // Asking again sends the browser to enrolment, not to the consent page, and issues no code either.
    const again = await fetch(authorizeUrl(clientId, "mcp:admin", verifier), {
      headers: { cookie: owner.cookie, "sec-fetch-mode": "navigate", accept: "text/html" },
      redirect: "manual",
    });
    expect(again.status).toBe(302);
    const next = expectEnrolmentRedirect(again.headers.get("location"));
    expect(next.searchParams.get("client_id")).toBe(clientId);
    expect(next.searchParams.get("scope")).toBe("mcp:admin");
  });

  test("signing in during an authorization sends a user who must enrol to enrolment, and back to the request once enrolled", async () => {
    const user = await signUp(server.auth);
    await grantRole(server.database.db, user.userId, ADMIN_ROLE_ID);
    const clientId = await registerClient();
    const verifier = randomBytes(32).toString("base64url");
    // Signed out, the provider sends the browser to sign in with the request signed in the query.
    const signedOut = await fetch(authorizeUrl(clientId, "mcp:read", verifier), { redirect: "manual" });
    const signInPage = new URL(((await signedOut.json()) as { url: string }).url, server.baseUrl);
    expect(signInPage.pathname).toBe("/sign-in");

    const signIn = await send("/api/auth/sign-in/email", { json: { email: user.email, password: TEST_PASSWORD, oauth_query: signInPage.search.slice(1) } });
    expect(signIn.status).toBe(200);
    const answer = (await signIn.json()) as { redirect?: boolean; url?: string };
    expect(answer.redirect).toBe(true);
    const next = expectEnrolmentRedirect(answer.url);
    expect(next.searchParams.get("client_id")).toBe(clientId);
    expect(next.searchParams.has("code")).toBe(false);

    const { cookie } = await enrolTotp(server.auth, cookieHeader(signIn));
    const resumed = await fetch(new URL(next.pathname + next.search, server.baseUrl), { headers: { cookie }, redirect: "manual" });
    expect(new URL(((await resumed.json()) as { url: string }).url, server.baseUrl).pathname).toBe("/consent");
  });
});

describe("the token endpoint", () => {
  test("a code issued before the policy applied is refused with invalid_grant, issuing nothing; once enrolled it is redeemed", async () => {
    const member = await memberInDomain();
    const client = { clientId: await registerClient() };
    const code = await authorizationCode(member.cookie, client.clientId);
    await setDomainPolicy(member.domainId, "required");

    const refused = await redeem(client, code);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_grant", error_description: expect.stringContaining("second factor") });
    expect(await server.database.db.$count(issuedAccessToken, eq(issuedAccessToken.userId, member.userId))).toBe(0);
    expect(await server.database.db.$count(oauthRefreshToken, eq(oauthRefreshToken.userId, member.userId))).toBe(0);

    // A passkey keeps the session the code was issued in (enrolling an authenticator app replaces it, which ends the code).
    await insertPasskeyRow(server.database.db, member.userId);
    expect((await redeem(client, code)).status).toBe(200);
  });

  test("a refresh token issued before the policy applied is refused with invalid_grant and not rotated; once enrolled it refreshes", async () => {
    const member = await memberInDomain();
    const client = { clientId: await registerClient() };
    const issued = await tokens(client, member.cookie);
    const ledgerBefore = await server.database.db.$count(issuedAccessToken, eq(issuedAccessToken.userId, member.userId));
    await setDomainPolicy(member.domainId, "required");

    const refused = await refresh(client, issued.refresh_token);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_grant" });
    const [row] = await server.database.db
      .select({ revoked: oauthRefreshToken.revoked, rotatedAt: oauthRefreshToken.rotatedAt })
      .from(oauthRefreshToken)
      .where(eq(oauthRefreshToken.token, storedSecretHash(issued.refresh_token)));
    expect(row).toEqual({ revoked: null, rotatedAt: null });
    expect(await server.database.db.$count(issuedAccessToken, eq(issuedAccessToken.userId, member.userId))).toBe(ledgerBefore);

    await enrolTotp(server.auth, member.cookie);
    expect((await refresh(client, issued.refresh_token)).status).toBe(200);
  });
});

describe("access tokens", () => {
  test("a token issued before a role started to require MFA is refused at /mcp, userinfo and introspection until the user enrols", async () => {
    const roleId = randomUUID();
    await server.database.db.insert(role).values({ id: roleId, name: `Gate role ${roleId.slice(0, 8)}`, requiresMfa: false });
    const member = await signUp(server.auth);
    await grantRole(server.database.db, member.userId, roleId);
    const client = await consoleClient();
    const issued = await tokens(client, member.cookie);
    const listTools = { jsonrpc: "2.0", id: 1, method: "tools/list" };
    expect((await postMcp(server.baseUrl, issued.access_token, listTools)).status).toBe(200);

    await setRoleRequirement(roleId, true);
    const mcp = await postMcp(server.baseUrl, issued.access_token, listTools);
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await mcp.json()).toMatchObject({ error: "invalid_token", error_description: expect.stringContaining("second factor") });
    const userinfo = await send("/api/auth/oauth2/userinfo", { headers: { authorization: `Bearer ${issued.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(await userinfo.json()).toMatchObject({ error: "invalid_token", error_description: expect.stringContaining("second factor") });
    expect(await (await introspect(client, issued.access_token)).json()).toEqual({ active: false });
    expect(await (await introspect(client, issued.refresh_token)).json()).toEqual({ active: false });

    // A passkey: an authenticator app would replace the session, and tokens minted in a session end with it.
    await insertPasskeyRow(server.database.db, member.userId);
    expect((await postMcp(server.baseUrl, issued.access_token, listTools)).status).toBe(200);
    expect((await send("/api/auth/oauth2/userinfo", { headers: { authorization: `Bearer ${issued.access_token}` } })).status).toBe(200);
    expect(await (await introspect(client, issued.access_token)).json()).toMatchObject({ active: true });
    expect(await (await introspect(client, issued.refresh_token)).json()).toMatchObject({ active: true });
  });

  test("an opaque access token (no resource) of a user under a domain's required policy is refused at userinfo", async () => {
    const member = await memberInDomain();
    const client = await consoleClient();
    const verifier = randomBytes(32).toString("base64url");
    const url = authorizeUrl(client.clientId, "openid", verifier);
    url.searchParams.delete("resource");
    const { location } = await authorizeInBrowser(url, { cookie: member.cookie });
    const response = await redeem(client, { code: location.searchParams.get("code")!, verifier }, null);
    const { access_token: opaque } = (await response.json()) as { access_token: string };
    expect(opaque.split(".")).toHaveLength(1);
    expect(await server.database.db.$count(oauthAccessToken, eq(oauthAccessToken.userId, member.userId))).toBe(1);
    expect((await send("/api/auth/oauth2/userinfo", { headers: { authorization: `Bearer ${opaque}` } })).status).toBe(200);

    await setDomainPolicy(member.domainId, "required");
    const refused = await send("/api/auth/oauth2/userinfo", { headers: { authorization: `Bearer ${opaque}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: "invalid_token" });
    expect(await (await introspect(client, opaque)).json()).toEqual({ active: false });
  });
});
