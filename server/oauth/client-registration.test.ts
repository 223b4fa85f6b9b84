import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { attemptLimit, auditEvent, clientRegistration, issuedAccessToken, oauthClient, oauthConsent, oauthRefreshToken } from "@/db/schema";
import { REGISTRATION_CAP_KEY } from "@/server/auth/plugins/client-registration";
import { createClient } from "@/server/clients/commands";
import { storedSecretHash } from "@/server/oauth/config";
import { registrationSprawl, removeUnusedClients } from "@/server/oauth/unused-clients";
import { createSignedInOwner, signUp } from "@/server/testing/auth";
import { authorizationRequest, authorizeInBrowser, exchangeCode, tokenRequestInit, type ClientSecretAuth } from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { callerAs } from "@/server/testing/trpc";

const DAY_MS = 24 * 60 * 60 * 1000;

let server: OAuthTestServer;
let issuer: string;
let owner: { userId: string; cookie: string };
let member: { userId: string; cookie: string };

beforeAll(async () => {
  server = await startOAuthTestServer();
  issuer = `${server.baseUrl}/api/auth`;
  owner = await createSignedInOwner(server.database.db, server.auth);
  member = await signUp(server.auth);
});

afterAll(() => server?.close());

interface Registered {
  client_id: string;
  client_secret?: string;
  client_secret_expires_at?: number;
  redirect_uris: string[];
  token_endpoint_auth_method: string;
  grant_types: string[];
  scope: string;
  registration_client_uri: string;
  registration_access_token: string;
  [field: string]: unknown;
}

function register(body: unknown, target: OAuthTestServer = server, headers: Record<string, string> = {}) {
  return fetch(`${target.baseUrl}/api/auth/oauth2/register`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function registered(body: unknown): Promise<Registered> {
  const response = await register(body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Registered;
}

function secretAuth(client: Registered): ClientSecretAuth | undefined {
  if (client.token_endpoint_auth_method === "none") return undefined;
  return { method: client.token_endpoint_auth_method as ClientSecretAuth["method"], secret: client.client_secret! };
}

/** The authorization a person's browser completes for the client, at `redirectUri`, and the code exchanged as the client would. */
async function authorizeAndExchange(client: Registered, redirectUri: string, cookie = member.cookie) {
  const request = authorizationRequest(server.baseUrl, { clientId: client.client_id, redirectUri, scope: "mcp:read offline_access", state: "s-1" });
  const { location } = await authorizeInBrowser(request.url, { cookie });
  expect(location.origin + location.pathname).toBe(new URL(redirectUri).origin + new URL(redirectUri).pathname);
  expect(location.protocol).toBe(new URL(redirectUri).protocol);
  expect(location.searchParams.get("state")).toBe("s-1");
  expect(location.searchParams.get("iss")).toBe(issuer);
  const code = location.searchParams.get("code");
  expect(code, location.href).toBeTruthy();
  return exchangeCode(request, code!, secretAuth(client));
}

function refresh(client: Registered, refreshToken: string) {
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
  return fetch(`${issuer}/oauth2/token`, tokenRequestInit(client.client_id, form, secretAuth(client)));
}

function clientCount() {
  return server.database.db.$count(oauthClient);
}

// ---------------------------------------------------------------------------------------------------
// What the real clients send

const GRANTS = ["authorization_code", "refresh_token"];

/**
 * Registration requests as each client sends them (from its source, documentation or observed
 * traffic), and the redirect URI its authorization then comes back to: for loopback clients, another
 * port than the one registered, as desktop apps pick a free one.
 */
const REAL_CLIENTS: { name: string; body: Record<string, unknown>; authorizeAt: string }[] = [
  {
    name: "Claude (claude.ai, Claude Desktop): confidential, client_secret_post",
    body: {
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      grant_types: GRANTS,
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
    authorizeAt: "https://claude.ai/api/mcp/auth_callback",
  },
  {
    name: "Claude on its claude.com callback",
    body: {
      client_name: "Claude",
      redirect_uris: ["https://claude.com/api/mcp/auth_callback"],
      grant_types: GRANTS,
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
    authorizeAt: "https://claude.com/api/mcp/auth_callback",
  },
  {
    name: "ChatGPT connector, per-connector callback",
    body: {
      client_name: "ChatGPT",
      redirect_uris: ["https://chatgpt.com/connector/oauth/OUbdUMlL15Ct"],
      grant_types: GRANTS,
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    },
    authorizeAt: "https://chatgpt.com/connector/oauth/OUbdUMlL15Ct",
  },
  {
    name: "ChatGPT connector, legacy callback, no token_endpoint_auth_method (RFC 7591 default: client_secret_basic)",
    body: { client_name: "ChatGPT", redirect_uris: ["https://chatgpt.com/connector_platform_oauth_redirect"], grant_types: GRANTS, response_types: ["code"] },
    authorizeAt: "https://chatgpt.com/connector_platform_oauth_redirect",
  },
  {
    name: "Cursor: a private-use scheme with a host",
    body: {
      client_name: "Cursor",
      redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback"],
      grant_types: GRANTS,
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    },
    authorizeAt: "cursor://anysphere.cursor-mcp/oauth/callback",
  },
  {
    name: "Cursor with its web and loopback callbacks in the same request",
    body: {
      client_name: "Cursor",
      redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback", "https://www.cursor.com/agents/mcp/oauth/callback", "http://localhost:8787/callback"],
      token_endpoint_auth_method: "none",
    },
    authorizeAt: "http://localhost:51234/callback",
  },
  {
    // microsoft/vscode src/vs/base/common/oauth.ts fetchDynamicRegistration, with grant_types filtered by our metadata.
    name: "VS Code: vscode.dev and loopback callbacks, application_type native",
    body: {
      client_name: "Visual Studio Code",
      client_uri: "https://code.visualstudio.com",
      grant_types: GRANTS,
      response_types: ["code"],
      redirect_uris: [
        "https://insiders.vscode.dev/redirect",
        "https://vscode.dev/redirect",
        "http://localhost",
        "http://127.0.0.1",
        "http://localhost:33418",
        "http://127.0.0.1:33418",
      ],
      token_endpoint_auth_method: "none",
      application_type: "native",
    },
    authorizeAt: "http://127.0.0.1:54321",
  },
  {
    name: "VS Code before it sent application_type: loopback with a trailing slash",
    body: {
      client_name: "Visual Studio Code",
      client_uri: "https://code.visualstudio.com",
      grant_types: GRANTS,
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1:33418/", "http://localhost:33418/"],
      token_endpoint_auth_method: "none",
    },
    authorizeAt: "http://localhost:40001/",
  },
  {
    // modelcontextprotocol/inspector client/src/lib/auth.ts clientMetadata: an empty scope when none was given.
    name: "MCP Inspector",
    body: {
      redirect_uris: ["http://localhost:6274/oauth/callback"],
      token_endpoint_auth_method: "none",
      grant_types: GRANTS,
      response_types: ["code"],
      client_name: "MCP Inspector",
      client_uri: "https://github.com/modelcontextprotocol/inspector",
      scope: "",
    },
    authorizeAt: "http://localhost:6275/oauth/callback",
  },
  {
    name: "Claude Code: loopback, public",
    body: {
      client_name: "Claude Code (gatehouse)",
      redirect_uris: ["http://localhost:49152/callback"],
      grant_types: GRANTS,
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    },
    authorizeAt: "http://localhost:61000/callback",
  },
  {
    name: "an MCP SDK client that names no grant_types",
    body: { client_name: "SDK client", redirect_uris: ["http://127.0.0.1:43117/callback"], token_endpoint_auth_method: "none" },
    authorizeAt: "http://127.0.0.1:43999/callback",
  },
];

describe("the registrations real MCP clients send are admitted with no configuration", () => {
  test.each(REAL_CLIENTS)("$name: registered with refresh, the RFC 7592 fields, and an authorization that completes", async ({ body, authorizeAt }) => {
    const client = await registered(body);
    const method = (body.token_endpoint_auth_method as string | undefined) ?? "client_secret_basic";
    expect(client.token_endpoint_auth_method).toBe(method);
    expect(client.redirect_uris).toEqual(body.redirect_uris);
    expect(client.grant_types).toEqual(["authorization_code", "refresh_token"]);
    expect(client.registration_client_uri).toBe(`${issuer}/oauth2/register/${client.client_id}`);
    expect(client.registration_access_token).toMatch(/^[A-Za-z0-9]{40,}$/);
    if (method === "none") {
      expect(client.client_secret).toBeUndefined();
    } else {
      expect(client.client_secret).toMatch(/^[A-Za-z0-9]{40,}$/);
      expect(client.client_secret_expires_at).toBe(0);
    }
    const [row] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, client.client_id));
    expect(row).toMatchObject({ skipConsent: false, requirePKCE: true, tokenEndpointAuthMethod: method });

    const tokens = await authorizeAndExchange(client, authorizeAt);
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ client_id: client.client_id, sub: member.userId, aud: `${server.baseUrl}/mcp` });
    expect(tokens.refreshToken).toBeTruthy();
    const refreshed = await refresh(client, tokens.refreshToken!);
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
  });

  test("a confidential client must present its secret: the code is no good without it", async () => {
    const claude = await registered(REAL_CLIENTS[0]!.body);
    const request = authorizationRequest(server.baseUrl, { clientId: claude.client_id, redirectUri: "https://claude.ai/api/mcp/auth_callback" });
    const { location } = await authorizeInBrowser(request.url, { cookie: member.cookie });
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      code_verifier: request.verifier,
      redirect_uri: "https://claude.ai/api/mcp/auth_callback",
      resource: `${server.baseUrl}/mcp`,
    });
    const response = await fetch(`${issuer}/oauth2/token`, tokenRequestInit(claude.client_id, form, { method: "client_secret_post", secret: "not-the-secret" }));
    // RFC 6749 §5.2: 400 or 401 for a secret sent in the form.
    expect([400, 401]).toContain(response.status);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  test("reverse-domain private-use schemes without a host (RFC 8252 §7.1) are admitted, as the console admits them", async () => {
    const client = await registered({ client_name: "Native app", redirect_uris: ["com.example.app:/oauth2redirect"], token_endpoint_auth_method: "none" });
    await authorizeAndExchange(client, "com.example.app:/oauth2redirect");
  });

  test("a registration is audited with what it registered, never its secrets", async () => {
    const claude = await registered(REAL_CLIENTS[0]!.body);
    const [event] = await server.database.db.select().from(auditEvent).where(and(eq(auditEvent.action, "client.registered"), eq(auditEvent.targetId, claude.client_id)));
    expect(event).toMatchObject({ actorVia: "oauth", clientId: claude.client_id, targetType: "client" });
    expect(event!.details).toMatchObject({
      origin: "dynamic",
      name: "Claude",
      tokenEndpointAuthMethod: "client_secret_post",
      redirectUris: ["https://claude.ai/api/mcp/auth_callback"],
    });
    expect(JSON.stringify(event)).not.toContain(claude.client_secret!);
    expect(JSON.stringify(event)).not.toContain(claude.registration_access_token);
  });
});

// ---------------------------------------------------------------------------------------------------
// What is refused

describe("unsafe redirect URIs are refused with invalid_redirect_uri, the value never echoed, nothing stored", () => {
  /** Each carries this marker where a careless description would repeat it. */
  const MARK = "zq7probe";
  const UNSAFE: [string, string][] = [
    ["plain http on a public host", `http://${MARK}.example/callback`],
    ["plain http on a host that only starts like loopback", `http://127.0.0.1.${MARK}.io/callback`],
    ["plain http on a host that only starts like localhost", `http://localhost.${MARK}.example/callback`],
    ["a fragment", `https://app.example/callback#${MARK}`],
    ["an empty fragment", `https://app.example/${MARK}#`],
    ["a wildcard host", `https://*.${MARK}.example/callback`],
    ["a wildcard path", `https://app.example/${MARK}/*`],
    ["a wildcard port", `http://localhost:*/${MARK}`],
    ["javascript:", `javascript:alert(${MARK})`],
    ["data:", `data:text/html,<script>${MARK}</script>`],
    ["file:", `file:///${MARK}/passwd`],
    ["vbscript:", `vbscript:msgbox(${MARK})`],
    ["about:", `about:${MARK}`],
    ["blob:", `blob:https://app.example/${MARK}`],
    ["a custom scheme without a host", `myapp:/${MARK}`],
    ["a custom scheme with neither host nor path", `myapp:${MARK}`],
    ["a reverse-domain scheme without a path", `com.example.app:${MARK}`],
    ["credentials", `https://user:${MARK}@app.example/callback`],
    ["a relative reference", `/${MARK}`],
  ];

  test.each(UNSAFE)("%s", async (_name, uri) => {
    const before = await clientCount();
    for (const redirects of [[uri], ["https://app.example/fine", uri]]) {
      const response = await register({ client_name: "Probe", redirect_uris: redirects, token_endpoint_auth_method: "none" });
      const body = (await response.json()) as { error?: string; error_description?: string };
      expect(response.status).toBe(400);
      expect(body.error).toBe("invalid_redirect_uri");
      expect(body.error_description).toMatch(/\.$/);
      expect(body.error_description).not.toContain(MARK);
    }
    expect(await clientCount()).toBe(before);
  });

  test("a client cannot register client_credentials, another grant, a response type other than code, or turn PKCE off", async () => {
    const before = await clientCount();
    const base = { redirect_uris: ["https://app.example/cb"], token_endpoint_auth_method: "client_secret_post" };
    for (const override of [
      { grant_types: ["authorization_code", "client_credentials"] },
      { grant_types: ["implicit"] },
      { grant_types: ["refresh_token"] },
      { response_types: ["token"] },
      { require_pkce: false },
      { token_endpoint_auth_method: "private_key_jwt" },
      { skip_consent: true },
    ]) {
      const response = await register({ ...base, ...override });
      expect({ override, status: response.status, error: ((await response.json()) as { error: string }).error }).toEqual({
        override,
        status: 400,
        error: "invalid_client_metadata",
      });
    }
    expect(await clientCount()).toBe(before);
  });

  test("scopes the server does not have are left out; a registration that names none of ours gets the defaults", async () => {
    const unknownOnly = await registered({ redirect_uris: ["http://127.0.0.1:4000/cb"], token_endpoint_auth_method: "none", scope: "claudeai read write" });
    expect(unknownOnly.scope).toBe("mcp:read offline_access");
    const mixed = await registered({ redirect_uris: ["http://127.0.0.1:4000/cb"], token_endpoint_auth_method: "none", scope: "read mcp:read" });
    expect(mixed.scope.split(" ")).toContain("mcp:read");
    expect(mixed.scope.split(" ")).not.toContain("read");
  });
});

describe("the registration policy", () => {
  test("public-only admits public clients and refuses confidential ones, naming what to send", async () => {
    const publicOnly = await startOAuthTestServer({ oauth: { registration: "public-only" } });
    try {
      expect((await register({ redirect_uris: ["https://app.example/cb"], token_endpoint_auth_method: "none" }, publicOnly)).status).toBe(201);
      const confidential = await register(REAL_CLIENTS[0]!.body, publicOnly);
      expect(confidential.status).toBe(400);
      expect(await confidential.json()).toEqual({
        error: "invalid_client_metadata",
        error_description: 'This server registers public clients only: send token_endpoint_auth_method "none" and use PKCE.',
      });
    } finally {
      await publicOnly.close();
    }
  });

  test("off refuses every registration and takes registration_endpoint out of the metadata", async () => {
    const closed = await startOAuthTestServer({ oauth: { registration: "off" } });
    try {
      const refused = await register(REAL_CLIENTS[4]!.body, closed);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: "access_denied" });
      expect(await closed.database.db.$count(oauthClient)).toBe(0);
      const metadata = (await (await fetch(`${closed.baseUrl}/.well-known/oauth-authorization-server/api/auth`)).json()) as Record<string, unknown>;
      expect(metadata.registration_endpoint).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// RFC 7592

describe("RFC 7592: a client reads, updates and deletes its own registration with its registration access token", () => {
  const claudeBody = REAL_CLIENTS[0]!.body;

  function manage(client: Registered, init: { method?: string; token?: string | null; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    const token = init.token === undefined ? client.registration_access_token : init.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    return fetch(client.registration_client_uri, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  test("the token is stored hashed, and a read returns the registration without any secret", async () => {
    const client = await registered(claudeBody);
    const [row] = await server.database.db.select().from(clientRegistration).where(eq(clientRegistration.clientId, client.client_id));
    expect(row).toMatchObject({ origin: "dynamic", domainId: null, registrationAccessTokenHash: storedSecretHash(client.registration_access_token) });
    const [stored] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, client.client_id));
    expect(JSON.stringify(stored)).not.toContain(client.client_secret!);

    const read = await manage(client);
    expect(read.status).toBe(200);
    expect(read.headers.get("cache-control")).toBe("no-store");
    const body = (await read.json()) as Record<string, unknown>;
    const { client_secret: _secret, registration_access_token: _token, ...expected } = client;
    expect(body).toEqual(expected);
  });

  test("no token, a wrong token, another client's token, an unknown client or a console client: 401 with WWW-Authenticate: Bearer, and nothing changes", async () => {
    const client = await registered(claudeBody);
    const other = await registered(REAL_CLIENTS[4]!.body);
    const consoleClient = await server.database.db.transaction((tx) =>
      createClient(
        tx,
        { name: "Console app", type: "public", redirectUris: ["http://127.0.0.1:4000/cb"], scopes: ["mcp:read"], authMethod: "client_secret_basic", domainId: null, skipConsent: false },
        { createdBy: owner.userId, mcpResource: `${server.baseUrl}/mcp` },
      ),
    );
    const attempts: [string, Registered, string | null][] = [
      ["no token", client, null],
      ["a wrong token", client, "not-the-registration-token"],
      ["another client's token", client, other.registration_access_token],
      ["the client secret instead", client, client.client_secret!],
      ["an unknown client", { ...client, registration_client_uri: `${issuer}/oauth2/register/no-such-client` }, client.registration_access_token],
      ["a console client", { ...client, registration_client_uri: `${issuer}/oauth2/register/${consoleClient.client.clientId}` }, client.registration_access_token],
    ];
    for (const [name, target, token] of attempts) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const response = await manage(target, { method, token, body: method === "PUT" ? { ...claudeBody, client_id: target.client_id, client_name: "Taken over" } : undefined });
        expect({ name, method, status: response.status }).toEqual({ name, method, status: 401 });
        expect(response.headers.get("www-authenticate"), `${name} ${method}`).toMatch(/^Bearer/);
      }
    }
    const [row] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, client.client_id));
    expect(row?.name).toBe("Claude");
    expect(await server.database.db.$count(oauthClient, eq(oauthClient.clientId, consoleClient.client.clientId))).toBe(1);
  });

  test("an update is validated like a registration; the client id, secret and authentication method stay, and the change is audited", async () => {
    const client = await registered(claudeBody);
    const update = { ...claudeBody, client_id: client.client_id, client_name: "Claude (team)", redirect_uris: ["https://claude.com/api/mcp/auth_callback"] };

    const refusals: [string, unknown, string][] = [
      ["an unsafe redirect", { ...update, redirect_uris: ["http://evil.example/cb"] }, "invalid_redirect_uri"],
      ["skip_consent", { ...update, skip_consent: true }, "invalid_client_metadata"],
      ["a different client_id", { ...update, client_id: "someone-else" }, "invalid_client_metadata"],
      ["no client_id", { ...update, client_id: undefined }, "invalid_client_metadata"],
      ["a secret of its own choosing", { ...update, client_secret: "my-own-secret" }, "invalid_client_metadata"],
      ["another authentication method", { ...update, token_endpoint_auth_method: "none" }, "invalid_client_metadata"],
      ["client_credentials", { ...update, grant_types: ["authorization_code", "client_credentials"] }, "invalid_client_metadata"],
      ["a body that is not an object", ["not", "an", "object"], "invalid_client_metadata"],
    ];
    for (const [name, body, error] of refusals) {
      const response = await manage(client, { method: "PUT", body });
      expect({ name, status: response.status, error: ((await response.json()) as { error?: string }).error }).toEqual({ name, status: 400, error });
    }
    const [unchanged] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, client.client_id));
    expect(unchanged?.name).toBe("Claude");

    const response = await manage(client, { method: "PUT", body: { ...update, client_secret: client.client_secret, registration_access_token: "ignored" } });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({
      client_id: client.client_id,
      client_name: "Claude (team)",
      redirect_uris: ["https://claude.com/api/mcp/auth_callback"],
      token_endpoint_auth_method: "client_secret_post",
      registration_client_uri: client.registration_client_uri,
    });
    const [row] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, client.client_id));
    expect(row).toMatchObject({ name: "Claude (team)", skipConsent: false, clientSecret: storedSecretHash(client.client_secret!) });
    const [event] = await server.database.db.select().from(auditEvent).where(and(eq(auditEvent.action, "client.updated"), eq(auditEvent.targetId, client.client_id)));
    expect(event).toMatchObject({ actorVia: "oauth", clientId: client.client_id });
    expect(event!.details).toMatchObject({
      before: { name: "Claude", redirectUris: ["https://claude.ai/api/mcp/auth_callback"] },
      after: { name: "Claude (team)", redirectUris: ["https://claude.com/api/mcp/auth_callback"] },
    });
    // The old redirect no longer works; the new one does, with the same secret.
    const old = authorizationRequest(server.baseUrl, { clientId: client.client_id, redirectUri: "https://claude.ai/api/mcp/auth_callback" });
    const refused = await authorizeInBrowser(old.url, { cookie: member.cookie });
    expect(refused.location.origin).toBe(server.baseUrl);
    await authorizeAndExchange(client, "https://claude.com/api/mcp/auth_callback");
  });

  test("a delete removes the client with its consent and tokens, at once, audited; the token endpoint then tells the client to register again", async () => {
    const client = await registered(claudeBody);
    const tokens = await authorizeAndExchange(client, "https://claude.ai/api/mcp/auth_callback");

    const deleted = await manage(client, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await server.database.db.$count(oauthClient, eq(oauthClient.clientId, client.client_id))).toBe(0);
    expect(await server.database.db.$count(oauthConsent, eq(oauthConsent.clientId, client.client_id))).toBe(0);
    const jti = String(decodeJwt(tokens.accessToken).jti);
    expect(await server.database.db.$count(issuedAccessToken, eq(issuedAccessToken.jti, jti))).toBe(0);
    const mcp = await fetch(`${server.baseUrl}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(mcp.status).toBe(401);

    const [event] = await server.database.db.select().from(auditEvent).where(and(eq(auditEvent.action, "client.deleted"), eq(auditEvent.targetId, client.client_id)));
    expect(event).toMatchObject({ actorVia: "oauth", clientId: client.client_id });
    expect(event!.details).toMatchObject({ origin: "dynamic", accessTokensRevoked: 1 });

    expect((await manage(client)).status).toBe(401);
    const refreshed = await refresh(client, tokens.refreshToken!);
    expect(refreshed.status).toBe(401);
    expect(await refreshed.json()).toMatchObject({ error: "invalid_client" });
  });
});

// ---------------------------------------------------------------------------------------------------
// Limits

describe("registration limits", () => {
  const body = (n: number) => ({ client_name: `Hosted user ${n}`, redirect_uris: ["https://claude.ai/api/mcp/auth_callback"], token_endpoint_auth_method: "client_secret_post" });

  test("the default per-address limit lets a hosted client register 60 people a minute from one address", async () => {
    const limited = await startOAuthTestServer({ rateLimit: true });
    try {
      const statuses: number[] = [];
      for (let n = 0; n < 60; n += 1) statuses.push((await register(body(n), limited, { "x-forwarded-for": "198.51.100.7" })).status);
      expect(statuses.filter((status) => status !== 201)).toEqual([]);
      const over = await register(body(60), limited, { "x-forwarded-for": "198.51.100.7" });
      expect(over.status).toBe(429);
      expect(await over.json()).toMatchObject({ error: "temporarily_unavailable" });
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  test("GATEHOUSE_REGISTRATION_LIMIT_PER_IP sets the per-address limit; other addresses are not affected", async () => {
    const limited = await startOAuthTestServer({ rateLimit: true, oauth: { registrationLimits: { perIpPerMinute: 3, totalPerHour: 1000 } } });
    try {
      for (let n = 0; n < 3; n += 1) expect((await register(body(n), limited, { "x-forwarded-for": "198.51.100.8" })).status).toBe(201);
      expect((await register(body(3), limited, { "x-forwarded-for": "198.51.100.8" })).status).toBe(429);
      expect((await register(body(4), limited, { "x-forwarded-for": "198.51.100.9" })).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  test("the installation-wide cap per hour holds across addresses and under parallel requests; refused registrations do not count", async () => {
    const capped = await startOAuthTestServer({ rateLimit: true, oauth: { registrationLimits: { perIpPerMinute: 100, totalPerHour: 5 } } });
    try {
      const invalid = await register({ redirect_uris: ["http://evil.example/cb"] }, capped, { "x-forwarded-for": "203.0.113.200" });
      expect(invalid.status).toBe(400);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, n) => register(body(n), capped, { "x-forwarded-for": `203.0.113.${n + 1}` })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(15);
      const refused = responses.find((response) => response.status === 429)!;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
      expect(await refused.json()).toMatchObject({
        error: "temporarily_unavailable",
        error_description: expect.stringMatching(/^This server has taken as many client registrations as it allows in an hour\. Try again in \d+ minutes?\.$/),
      });
      expect(await capped.database.db.$count(oauthClient)).toBe(5);
      const [counter] = await capped.database.db.select().from(attemptLimit).where(eq(attemptLimit.key, REGISTRATION_CAP_KEY));
      expect(counter?.attempts).toBe(20);
    } finally {
      await capped.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Sprawl

describe("unused self-registered clients", () => {
  const now = new Date();
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);

  async function backdate(clientId: string, days: number) {
    await server.database.db.update(oauthClient).set({ createdAt: daysAgo(days) }).where(eq(oauthClient.clientId, clientId));
    await server.database.db.update(clientRegistration).set({ createdAt: daysAgo(days) }).where(eq(clientRegistration.clientId, clientId));
  }

  async function refreshToken(clientId: string, expiresDaysAgo: number, revokedDaysAgo?: number) {
    await server.database.db.insert(oauthRefreshToken).values({
      id: randomUUID(),
      token: storedSecretHash(randomUUID()),
      clientId,
      userId: member.userId,
      scopes: ["mcp:read"],
      createdAt: daysAgo(expiresDaysAgo + 30),
      expiresAt: daysAgo(expiresDaysAgo),
      revoked: revokedDaysAgo === undefined ? null : daysAgo(revokedDaysAgo),
    });
  }

  const body = (name: string) => ({ client_name: name, redirect_uris: ["http://127.0.0.1:4000/cb"], token_endpoint_auth_method: "none" });

  test("the sweep removes clients with no grant for 30 days, each audited as client.removed_unused; used, recent, trusted and console clients stay", async () => {
    const abandoned = await registered(body("Abandoned"));
    await backdate(abandoned.client_id, 45);
    const longExpired = await registered(body("Grant ended 40 days ago"));
    await backdate(longExpired.client_id, 90);
    await refreshToken(longExpired.client_id, 40);
    const recentlyEnded = await registered(body("Grant ended 10 days ago"));
    await backdate(recentlyEnded.client_id, 90);
    await refreshToken(recentlyEnded.client_id, 60, 10);
    const liveToken = await registered(body("Live refresh token"));
    await backdate(liveToken.client_id, 90);
    await refreshToken(liveToken.client_id, -20);
    const consented = await registered(body("Consented"));
    await authorizeAndExchange(consented, "http://127.0.0.1:4000/cb");
    await backdate(consented.client_id, 90);
    await server.database.db.delete(oauthRefreshToken).where(eq(oauthRefreshToken.clientId, consented.client_id));
    await server.database.db.delete(issuedAccessToken).where(eq(issuedAccessToken.clientId, consented.client_id));
    const recent = await registered(body("Registered 10 days ago"));
    await backdate(recent.client_id, 10);
    const trusted = await registered(body("Trusted by an administrator"));
    await backdate(trusted.client_id, 90);
    await server.database.db.update(oauthClient).set({ skipConsent: true }).where(eq(oauthClient.clientId, trusted.client_id));
    const consoleClient = await server.database.db.transaction((tx) =>
      createClient(
        tx,
        { name: "Console app", type: "public", redirectUris: ["http://127.0.0.1:4000/cb"], scopes: ["mcp:read"], authMethod: "client_secret_basic", domainId: null, skipConsent: false },
        { createdBy: owner.userId, mcpResource: `${server.baseUrl}/mcp` },
      ),
    );
    await server.database.db.update(oauthClient).set({ createdAt: daysAgo(90) }).where(eq(oauthClient.clientId, consoleClient.client.clientId));

    const removed = await removeUnusedClients(server.database.db, 30, now);
    expect(removed.sort()).toEqual([abandoned.client_id, longExpired.client_id].sort());
    for (const kept of [recentlyEnded, liveToken, consented, recent, trusted]) {
      expect(await server.database.db.$count(oauthClient, eq(oauthClient.clientId, kept.client_id)), String(kept.client_name)).toBe(1);
    }
    expect(await server.database.db.$count(oauthClient, eq(oauthClient.clientId, consoleClient.client.clientId))).toBe(1);

    const events = await server.database.db.select().from(auditEvent).where(eq(auditEvent.action, "client.removed_unused"));
    expect(events.map((event) => event.targetId).sort()).toEqual(removed.sort());
    expect(events.find((event) => event.targetId === abandoned.client_id)).toMatchObject({
      actorVia: "system",
      targetType: "client",
      details: { name: "Abandoned", unusedForDays: 30 },
    });
    // Sweeping again finds nothing more.
    expect(await removeUnusedClients(server.database.db, 30, now)).toEqual([]);
  });

  test("the clients page's summary counts registrations of the last day and week, unused clients and when they go", async () => {
    const sprawl = await startOAuthTestServer();
    try {
      const sprawlOwner = await createSignedInOwner(sprawl.database.db, sprawl.auth);
      const ids: string[] = [];
      for (let n = 0; n < 4; n += 1) {
        const response = await register(body(`Sprawl ${n}`), sprawl);
        ids.push(((await response.json()) as Registered).client_id);
      }
      const at = (id: string, days: number) =>
        Promise.all([
          sprawl.database.db.update(oauthClient).set({ createdAt: daysAgo(days) }).where(eq(oauthClient.clientId, id)),
          sprawl.database.db.update(clientRegistration).set({ createdAt: daysAgo(days) }).where(eq(clientRegistration.clientId, id)),
        ]);
      await at(ids[1]!, 3);
      await at(ids[2]!, 20);
      await at(ids[3]!, 40);

      const summary = await (await callerAs({ db: sprawl.database.db, auth: sprawl.auth }, sprawlOwner.cookie)).clients.registrationSummary();
      expect(summary).toMatchObject({
        registeredLastDay: 1,
        registeredLastWeek: 2,
        selfRegistered: 4,
        unused: 4,
        dueForRemoval: 1,
        unusedClientDays: 30,
      });
      // The one registered 20 days ago is next: in about 10 days.
      expect(Math.round((summary.nextRemovalAt!.getTime() - Date.now()) / DAY_MS)).toBe(10);
      expect(await registrationSprawl(sprawl.database.db, 30)).toMatchObject({ unused: 4 });
    } finally {
      await sprawl.close();
    }
  });

  test("a client the sweep removed is told invalid_client (401) at the token endpoint, which makes Claude register again", async () => {
    const client = await registered(REAL_CLIENTS[0]!.body);
    await backdate(client.client_id, 60);
    expect(await removeUnusedClients(server.database.db, 30)).toContain(client.client_id);
    const response = await refresh(client, "a-refresh-token-it-still-holds");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "invalid_client", error_description: "This client is not registered here (any more). Register it again." });
  });
});

// ---------------------------------------------------------------------------------------------------
// RFC 7009 and the metadata that goes with it

describe("revocation", () => {
  /** Tokens of `client` that are of no use any more, or never were. */
  async function deadTokens(client: Registered, redirectUri: string): Promise<Record<string, string>> {
    const expiredRefresh = await authorizeAndExchange(client, redirectUri);
    await server.database.db
      .update(oauthRefreshToken)
      .set({ expiresAt: new Date(Date.now() - DAY_MS) })
      .where(eq(oauthRefreshToken.token, storedSecretHash(expiredRefresh.refreshToken!)));
    const revokedRefresh = await authorizeAndExchange(client, redirectUri);
    await server.database.db
      .update(oauthRefreshToken)
      .set({ revoked: new Date() })
      .where(eq(oauthRefreshToken.token, storedSecretHash(revokedRefresh.refreshToken!)));
    const expiredAccess = (await authorizeAndExchange(client, redirectUri)).accessToken;
    await server.database.db.update(issuedAccessToken).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(issuedAccessToken.jti, String(decodeJwt(expiredAccess).jti)));
    return {
      "an unknown opaque token": "never-issued-anything-like-this",
      "an unknown refresh-token-like value": "rt_" + randomUUID(),
      "a malformed JWT": "a.b.c",
      "an expired refresh token": expiredRefresh.refreshToken!,
      "a revoked refresh token": revokedRefresh.refreshToken!,
      "an access token whose time is up": expiredAccess,
    };
  }

  test("revoking an unknown, expired, revoked or malformed token answers 200, for public and confidential clients alike, never 400 or 500", async () => {
    const publicClient = await registered({ client_name: "Public revoker", redirect_uris: ["http://127.0.0.1:4000/cb"], token_endpoint_auth_method: "none" });
    const confidential = await registered(REAL_CLIENTS[0]!.body);
    const answers: string[] = [];
    for (const [client, redirectUri] of [
      [publicClient, "http://127.0.0.1:4001/cb"],
      [confidential, "https://claude.ai/api/mcp/auth_callback"],
    ] as const) {
      for (const [name, token] of Object.entries(await deadTokens(client, redirectUri))) {
        for (const hint of [undefined, "refresh_token", "access_token"]) {
          const form = new URLSearchParams({ token, ...(hint ? { token_type_hint: hint } : {}) });
          const response = await fetch(`${issuer}/oauth2/revoke`, tokenRequestInit(client.client_id, form, secretAuth(client)));
          answers.push(`${String(client.client_name)} revokes ${name}${hint ? ` (hint ${hint})` : ""}: ${response.status}`);
        }
      }
    }
    expect(answers.filter((answer) => !answer.endsWith(": 200"))).toEqual([]);
  });

  test("a token issued to another client is refused with a 4xx (RFC 7009 §2.1), and stays live", async () => {
    const holder = await registered({ client_name: "Holder", redirect_uris: ["http://127.0.0.1:4000/cb"], token_endpoint_auth_method: "none" });
    const stranger = await registered({ client_name: "Stranger", redirect_uris: ["http://127.0.0.1:4000/cb"], token_endpoint_auth_method: "none" });
    const tokens = await authorizeAndExchange(holder, "http://127.0.0.1:4000/cb");
    for (const token of [tokens.accessToken, tokens.refreshToken!]) {
      const response = await fetch(`${issuer}/oauth2/revoke`, tokenRequestInit(stranger.client_id, new URLSearchParams({ token })));
      expect(response.status).toBeLessThan(500);
    }
    expect((await refresh(holder, tokens.refreshToken!)).status).toBe(200);
  });

  test("the metadata lets public clients revoke (none) and keeps introspection for confidential clients", async () => {
    for (const path of ["/.well-known/oauth-authorization-server/api/auth", "/.well-known/openid-configuration/api/auth", "/api/auth/.well-known/openid-configuration"]) {
      const metadata = (await (await fetch(`${server.baseUrl}${path}`)).json()) as Record<string, string[]>;
      expect(metadata.revocation_endpoint_auth_methods_supported, path).toEqual(expect.arrayContaining(["none", "client_secret_basic", "client_secret_post"]));
      expect(metadata.introspection_endpoint_auth_methods_supported, path).not.toContain("none");
      expect(metadata.token_endpoint_auth_methods_supported, path).toEqual(expect.arrayContaining(["none", "client_secret_post"]));
      expect(metadata.registration_endpoint, path).toBe(`${issuer}/oauth2/register`);
    }
  });
});
