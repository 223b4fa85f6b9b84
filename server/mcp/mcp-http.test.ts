import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { and, eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { ADMIN_ROLE_ID, AUDITOR_ROLE_ID, DOMAIN_ADMIN_ROLE_ID, MEMBER_ROLE_ID, auditEvent, clientRegistration, oauthClient } from "@/db/schema";
import { createClient } from "@/server/clients/commands";
import { createSignedInOwner, signUp } from "@/server/testing/auth";
import { createDomain, grantRole } from "@/server/testing/authz";
import {
  HeadlessOAuthProvider,
  issueUserToken,
  pkceChallenge,
  PROBE_REDIRECT,
  postMcp,
  recordingFetch,
  registerPublicClient,
  toolCall,
  type RecordedRequest,
} from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import { RESOURCE_TEMPLATES } from "./testing";
import { findTool, MCP_TOOLS } from "./tools";

const REDIRECT = "http://127.0.0.1:45221/oauth/callback";
/** What the 401 challenge names, and so what the SDK registers and authorizes with. */
const EVERY_SCOPE = "mcp:read mcp:write mcp:admin offline_access";

let server: OAuthTestServer;
let mcpUrl: URL;
let resourceMetadataUrl: string;
let owner: { userId: string; email: string; cookie: string };

beforeAll(async () => {
  server = await startOAuthTestServer();
  mcpUrl = new URL(`${server.baseUrl}/mcp`);
  resourceMetadataUrl = `${server.baseUrl}/.well-known/oauth-protected-resource/mcp`;
  owner = await createSignedInOwner(server.database.db, server.auth);
});

afterAll(() => server?.close());

function callerFor(cookie: string) {
  return createTRPCContext({ db: server.database.db, auth: server.auth, headers: new Headers({ cookie }) }).then(createCaller);
}

/** What a log line of the exchange says: enough to read the sequence, nothing that changes per run. */
const line = (request: RecordedRequest) => `${request.method} ${request.url.pathname} ${request.status}`;

/**
 * The exchange in order, without the SDK's optional SSE probe: it sends `GET /mcp` after the
 * `initialized` notification without waiting for it, so where it lands in the log is a race.
 */
const sequence = (requests: RecordedRequest[]) =>
  requests.filter((request) => !(request.method === "GET" && request.url.pathname === "/mcp")).map(line);

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

/**
 * The SDK's documented path for a client with no browser: connect, get UnauthorizedError once the
 * provider has sent the user through the authorization URL, finish with the code, connect again.
 */
async function connectThroughOAuth(cookie: string, clientName = "Headless spec client") {
  const spy = recordingFetch();
  const provider = new HeadlessOAuthProvider({ redirectUrl: REDIRECT, cookie, clientName, fetch: spy.fetch });
  const firstTransport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: spy.fetch });
  await expect(new Client({ name: clientName, version: "1.0.0" }).connect(firstTransport)).rejects.toBeInstanceOf(UnauthorizedError);
  await firstTransport.finishAuth(provider.takeAuthorizationCode());
  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: spy.fetch });
  const client = new Client({ name: clientName, version: "1.0.0" });
  await client.connect(transport);
  const clientId = (await provider.clientInformation())!.client_id;
  return { client, transport, provider, requests: spy.requests, clientId };
}

async function toolCallEvents(clientId: string) {
  return server.database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "mcp.tool_called"), eq(auditEvent.clientId, clientId)))
    .orderBy(auditEvent.at, auditEvent.id);
}

/** The JSON-RPC `tools/call` requests that reached the tools (HTTP 200), by tool name. */
function toolCallsAnswered(requests: RecordedRequest[]): string[] {
  return requests
    .filter((request) => request.method === "POST" && request.url.pathname === "/mcp" && request.status === 200 && request.body)
    .map((request) => JSON.parse(request.body!) as { method?: string; params?: { name?: string } })
    .filter((message) => message.method === "tools/call")
    .map((message) => message.params!.name!);
}

describe("the MCP SDK client, headless", () => {
  test("goes 401 → resource metadata → AS metadata → registration → PKCE authorize for the MCP resource → token, then lists tools and calls whoami as the user", async () => {
    const { client, provider, requests, clientId } = await connectThroughOAuth(owner.cookie);

    const authorization = provider.authorizationUrls[0]!;
    expect(provider.authorizationUrls).toHaveLength(1);
    // finishAuth discovers again (the provider keeps no discovery state), which is what a restarted CLI does too.
    expect(sequence(requests).slice(0, 11)).toEqual([
      "POST /mcp 401",
      "GET /.well-known/oauth-protected-resource/mcp 200",
      "GET /.well-known/oauth-authorization-server/api/auth 200",
      "POST /api/auth/oauth2/register 201",
      "GET /api/auth/oauth2/authorize 200",
      "POST /api/auth/oauth2/consent 200",
      "GET /.well-known/oauth-protected-resource/mcp 200",
      "GET /.well-known/oauth-authorization-server/api/auth 200",
      "POST /api/auth/oauth2/token 200",
      "POST /mcp 200",
      "POST /mcp 202",
    ]);
    expect(requests[0]!.responseHeaders.get("www-authenticate")).toBe(`Bearer scope="${EVERY_SCOPE}", resource_metadata="${resourceMetadataUrl}"`);
    expect(provider.consentPages).toEqual([true]);
    expect(provider.consentScopes).toEqual([EVERY_SCOPE.split(" ")]);

    // Dynamic registration left a client the console knows came from RFC 7591.
    const [registered] = await server.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, clientId));
    expect(registered).toBeDefined();
    const [registration] = await server.database.db.select().from(clientRegistration).where(eq(clientRegistration.clientId, clientId));
    expect(registration).toMatchObject({ origin: "dynamic", createdBy: null });

    // The first authorization asks for what the 401 challenge named, for the MCP resource, with S256.
    expect(authorization.origin + authorization.pathname).toBe(`${server.baseUrl}/api/auth/oauth2/authorize`);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: EVERY_SCOPE,
      resource: mcpUrl.href,
      code_challenge_method: "S256",
    });
    const tokenRequest = requests.find((request) => request.url.pathname === "/api/auth/oauth2/token")!;
    const form = new URLSearchParams(tokenRequest.body!);
    expect(form.get("grant_type")).toBe("authorization_code");
    expect(form.get("resource")).toBe(mcpUrl.href);
    expect(pkceChallenge(form.get("code_verifier")!)).toBe(authorization.searchParams.get("code_challenge"));

    // The owner's roles use every tier, so the token response says every scope was granted, with a refresh token.
    const tokens = (await provider.tokens())!;
    expect(tokens).toMatchObject({ scope: EVERY_SCOPE, refresh_token: expect.any(String) });
    const accessToken = tokens.access_token;
    expect(decodeJwt(accessToken)).toMatchObject({ aud: mcpUrl.href, sub: owner.userId, client_id: clientId, scope: EVERY_SCOPE });
    const mcpCalls = requests.filter((request) => request.url.pathname === "/mcp" && request.status !== 401);
    expect(mcpCalls.every((request) => request.requestHeaders.get("authorization") === `Bearer ${accessToken}`)).toBe(true);

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(MCP_TOOLS.map((tool) => tool.name).sort());

    const result = (await client.callTool({ name: "whoami", arguments: {} })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      user: { id: owner.userId, email: owner.email, isOwner: true },
      clientId,
      scopes: EVERY_SCOPE.split(" "),
    });
    expect(sequence(requests).slice(11)).toEqual(["POST /mcp 200", "POST /mcp 200"]);
    await vi.waitFor(() =>
      expect(requests.filter((request) => request.method === "GET" && request.url.pathname === "/mcp").map(line)).toEqual(["GET /mcp 405"]),
    );
    await client.close();
  });
});

describe("the tools a person may use are the tools their client sees", () => {
  const ADMIN_TOOL = "revoke_all_for_user";
  const refusals = (requests: RecordedRequest[]) => requests.filter((request) => request.status === 403);

  test("the admin tool exists, needs mcp:admin and tokens:admin", () => {
    // The cases below lean on this tool's tier and permission; if it moves, they must change with it.
    expect(findTool(ADMIN_TOOL)).toMatchObject({ scope: "mcp:admin", permissions: ["tokens:admin"] });
  });

  test("an owner who connects with the SDK's defaults consents once, lists every tool and calls an admin tool with no step-up", async () => {
    const { client, provider, requests } = await connectThroughOAuth(owner.cookie, "Owner with defaults");
    const victim = await signUp(server.auth);
    const victimToken = await issueUserToken(server.baseUrl, victim.cookie);
    expect(provider.consentScopes).toEqual([EVERY_SCOPE.split(" ")]);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain(ADMIN_TOOL);

    const result = (await client.callTool({ name: ADMIN_TOOL, arguments: { userId: victim.userId } })) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ userId: victim.userId, accessTokensRevoked: 1 });
    expect((await postMcp(server.baseUrl, victimToken.accessToken, toolCall("whoami"))).status).toBe(401);
    expect(refusals(requests)).toEqual([]);
    expect(provider.authorizationUrls).toHaveLength(1);
    await client.close();
  });

  test("a member who connects with the SDK's defaults is asked about mcp:read and offline_access only, sees the tools their roles allow, and an admin tool answers with a tool error naming the permission, never a consent", async () => {
    const member = await signUp(server.auth);
    const { client, provider, requests, clientId } = await connectThroughOAuth(member.cookie, "Member with defaults");
    // The client asked for every tier, as the challenge said; the person was asked only about what their roles can use.
    expect(provider.authorizationUrls[0]!.searchParams.get("scope")).toBe(EVERY_SCOPE);
    expect(provider.consentScopes).toEqual([["mcp:read", "offline_access"]]);
    expect((await provider.tokens())!.scope).toBe("mcp:read offline_access");
    // Of the read tools, a member's roles allow only the one about themselves.
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["whoami"]);

    const result = (await client.callTool({ name: ADMIN_TOOL, arguments: { userId: owner.userId } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(ADMIN_TOOL);
    expect(textOf(result)).toContain("tokens:admin");
    // No 403, so no new authorization and no consent page for a tier the member can never use.
    expect(refusals(requests)).toEqual([]);
    expect(provider.authorizationUrls).toHaveLength(1);
    expect(await toolCallEvents(clientId)).toMatchObject([{ targetId: ADMIN_TOOL, details: { outcome: "FORBIDDEN" } }]);
    // Had the call run, the owner's browser session would be gone.
    await expect((await callerFor(owner.cookie)).me.get()).resolves.toMatchObject({ id: owner.userId });
    await client.close();
  });

  test("a client holding a refresh token that meets insufficient_scope is not stuck: its refresh is refused, it re-authorizes for what it has plus what the call needs, and after one consent the call runs", async () => {
    const person = await signUp(server.auth);
    const { client, transport, provider, requests, clientId } = await connectThroughOAuth(person.cookie, "Promoted later");
    expect((await provider.tokens())!).toMatchObject({ scope: "mcp:read offline_access", refresh_token: expect.any(String) });
    // Given a role after connecting: the grant still carries mcp:read only.
    await grantRole(server.database.db, person.userId, ADMIN_ROLE_ID);
    const victim = await signUp(server.auth);
    const victimToken = await issueUserToken(server.baseUrl, victim.cookie);
    const before = requests.length;

    await expect(client.callTool({ name: ADMIN_TOOL, arguments: { userId: victim.userId } })).rejects.toBeInstanceOf(UnauthorizedError);
    const stepUp = requests.slice(before);
    expect(stepUp[0]!.status).toBe(403);
    expect(stepUp[0]!.responseHeaders.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", scope="mcp:read offline_access mcp:admin", error_description="The token lacks a scope this call needs", resource_metadata="${resourceMetadataUrl}"`,
    );
    expect(JSON.parse(stepUp[0]!.responseText!)).toEqual({ error: "insufficient_scope", error_description: "This call needs the scope mcp:admin" });
    // The SDK tries its refresh token first; a token with the same narrow scope would fail the call again, so the refresh is refused.
    const refreshes = stepUp.filter((request) => request.url.pathname === "/api/auth/oauth2/token");
    expect(refreshes.map((request) => [new URLSearchParams(request.body!).get("grant_type"), request.status])).toEqual([["refresh_token", 400]]);
    expect(JSON.parse(refreshes[0]!.responseText!)).toMatchObject({ error: "invalid_grant" });
    expect(sequence(stepUp).slice(-2)).toEqual(["GET /api/auth/oauth2/authorize 200", "POST /api/auth/oauth2/consent 200"]);
    // Nothing ran: the victim's token still works.
    expect((await postMcp(server.baseUrl, victimToken.accessToken, toolCall("whoami"))).status).toBe(200);

    expect(provider.authorizationUrls).toHaveLength(2);
    expect(provider.authorizationUrls[1]!.searchParams.get("scope")).toBe("mcp:read offline_access mcp:admin");
    expect(provider.consentScopes[1]).toEqual(["mcp:read", "offline_access", "mcp:admin"]);
    await transport.finishAuth(provider.takeAuthorizationCode());
    expect((await provider.tokens())!).toMatchObject({ scope: "mcp:read offline_access mcp:admin", refresh_token: expect.any(String) });

    const retried = requests.length;
    const result = (await client.callTool({ name: ADMIN_TOOL, arguments: { userId: victim.userId } })) as CallToolResult;
    expect(sequence(requests.slice(retried))).toEqual(["POST /mcp 200"]);
    expect(result.isError, textOf(result)).toBeFalsy();
    expect((await postMcp(server.baseUrl, victimToken.accessToken, toolCall("whoami"))).status).toBe(401);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain(ADMIN_TOOL);
    const stepUps = await server.database.db
      .select()
      .from(auditEvent)
      .where(and(eq(auditEvent.action, "oauth.step_up_requested"), eq(auditEvent.clientId, clientId)));
    expect(stepUps.map((event) => event.details)).toEqual([{ clientId, scope: "mcp:admin", refreshTokensRevoked: 1 }]);
    // The same registration serves both authorizations.
    expect(sequence(requests).filter((entry) => entry.includes("/register"))).toHaveLength(1);
    await client.close();
  });

  test("a console client that was not given a tier gets 403 insufficient_scope for it and keeps its refresh token, since no new authorization could grant it", async () => {
    const { client } = await server.database.db.transaction((tx) =>
      createClient(
        tx,
        {
          name: "Read-only console app",
          type: "public",
          authMethod: "client_secret_basic",
          redirectUris: [PROBE_REDIRECT],
          scopes: ["mcp:read", "offline_access"],
          domainId: null,
          skipConsent: false,
        },
        { createdBy: owner.userId, mcpResource: mcpUrl.href },
      ),
    );
    const issued = await issueUserToken(server.baseUrl, owner.cookie, { clientId: client.clientId, scope: "mcp:read offline_access" });
    expect(issued.refreshToken).toBeTruthy();

    const refused = await postMcp(server.baseUrl, issued.accessToken, toolCall(ADMIN_TOOL, { userId: owner.userId }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toContain('scope="mcp:read offline_access mcp:admin"');
    const refreshed = await fetch(`${server.baseUrl}/api/auth/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: issued.refreshToken!, client_id: client.clientId }),
    });
    expect(refreshed.status).toBe(200);
  });
});

describe("refresh the way clients do it", () => {
  let shortLived: OAuthTestServer;

  beforeAll(async () => {
    shortLived = await startOAuthTestServer({ oauth: { accessTokenTtlSeconds: 3 } });
  });

  afterAll(() => shortLived?.close());

  test("the SDK client gets a refresh token by default, and its parallel tool calls after the access token expired all run without signing the person out", async () => {
    const person = await createSignedInOwner(shortLived.database.db, shortLived.auth);
    const spy = recordingFetch();
    const provider = new HeadlessOAuthProvider({ redirectUrl: REDIRECT, cookie: person.cookie, clientName: "Parallel client", fetch: spy.fetch });
    const url = new URL(`${shortLived.baseUrl}/mcp`);
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: spy.fetch });
    await expect(new Client({ name: "Parallel client", version: "1.0.0" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    await first.finishAuth(provider.takeAuthorizationCode());
    const client = new Client({ name: "Parallel client", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: spy.fetch }));
    const issued = (await provider.tokens())!;
    expect(issued.refresh_token).toBeTruthy();

    await new Promise((resolve) => setTimeout(resolve, decodeJwt(issued.access_token).exp! * 1000 - Date.now() + 100));
    const results = (await Promise.all(
      Array.from({ length: 6 }, () => client.callTool({ name: "whoami", arguments: {} })),
    )) as CallToolResult[];

    for (const result of results) expect(result.isError, textOf(result)).toBeFalsy();
    const refreshes = spy.requests.filter(
      (request) => request.url.pathname === "/api/auth/oauth2/token" && new URLSearchParams(request.body!).get("grant_type") === "refresh_token",
    );
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes.map((request) => request.status)).toEqual(refreshes.map(() => 200));
    // Still signed in: nothing was taken for theft, and the latest refresh token works.
    const clientId = (await provider.clientInformation())!.client_id;
    const reused = await shortLived.database.db
      .select()
      .from(auditEvent)
      .where(and(eq(auditEvent.action, "oauth.refresh_token_reused"), eq(auditEvent.clientId, clientId)));
    expect(reused).toEqual([]);
    const next = await fetch(`${shortLived.baseUrl}/api/auth/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: (await provider.tokens())!.refresh_token!, client_id: clientId }),
    });
    expect(next.status).toBe(200);
    expect(provider.authorizationUrls).toHaveLength(1);
    await client.close();
  });
});

describe("audit", () => {
  test("every tools/call through MCP leaves an mcp.tool_called event by the user via mcp with the client's id", async () => {
    const auditor = await signUp(server.auth);
    await grantRole(server.database.db, auditor.userId, AUDITOR_ROLE_ID);
    const { client, requests, clientId } = await connectThroughOAuth(auditor.cookie, "Audited client");
    for (const name of ["whoami", "list_roles", "list_users", "whoami"]) {
      const result = (await client.callTool({ name, arguments: {} })) as CallToolResult;
      expect(result.isError, textOf(result)).toBeFalsy();
    }

    const calls = toolCallsAnswered(requests);
    expect(calls).toEqual(["whoami", "list_roles", "list_users", "whoami"]);
    const events = await toolCallEvents(clientId);
    // Two calls can share a millisecond, so the rows are compared as a multiset.
    expect(events.map((event) => event.targetId).sort()).toEqual([...calls].sort());
    for (const event of events) {
      expect(event).toMatchObject({ actorVia: "mcp", clientId, actorUserId: auditor.userId, targetType: "mcp_tool" });
    }
    expect(events.map((event) => event.details.outcome)).toEqual(["ok", "ok", "ok", "ok"]);
    await client.close();
  });

  test("a tools/call inside a JSON-RPC batch is held to the same rules: each answered call is audited, a refusal names the permission", async () => {
    const person = await signUp(server.auth);
    const { accessToken, clientId } = await issueUserToken(server.baseUrl, person.cookie);
    const names: Record<number, string> = { 1: "whoami", 2: "list_users" };
    const response = await postMcp(server.baseUrl, accessToken, [toolCall("whoami", {}, 1), toolCall("list_users", {}, 2)]);
    // MCP 2025-06-18 dropped batches, so refusing the whole batch would be a fair answer too; answering
    // a call without its audit row or with a bare "not found" would not.
    expect([200, 400]).toContain(response.status);
    const body = (await response.json()) as unknown;
    const answers = (Array.isArray(body) ? body : [body]) as { id: number; result?: CallToolResult }[];
    const answered = answers.filter((answer) => answer.result);
    const events = await toolCallEvents(clientId);
    expect(events.map((event) => event.targetId).sort()).toEqual(answered.map((answer) => names[answer.id]).sort());
    for (const answer of answered.filter((candidate) => candidate.result!.isError)) {
      expect(textOf(answer.result!), names[answer.id]).toContain("users:read");
    }
  });
});

describe("MCP calls on the dashboards of domain administrators", () => {
  const HOUR_MS = 3_600_000;

  async function mcpCallsSeenBy(cookie: string) {
    const caller = await callerFor(cookie);
    return (await caller.dashboard.activity({ range: "24h" })).totals.mcpCalls;
  }

  async function domainAdmin(domainId: string) {
    const admin = await signUp(server.auth);
    await grantRole(server.database.db, admin.userId, DOMAIN_ADMIN_ROLE_ID, domainId);
    return admin;
  }

  test("a call through a domain's client is filed under that domain: its administrator counts it, another domain's administrator does not", async () => {
    const [domainA, domainB] = [await createDomain(server.database.db), await createDomain(server.database.db)];
    const [adminA, adminB] = [await domainAdmin(domainA.id), await domainAdmin(domainB.id)];
    // The caller is in both domains, so it is the client, not the person, that decides where the calls go.
    const person = await signUp(server.auth);
    await grantRole(server.database.db, person.userId, MEMBER_ROLE_ID, domainA.id);
    await grantRole(server.database.db, person.userId, MEMBER_ROLE_ID, domainB.id);
    const { client } = await server.database.db.transaction((tx) =>
      createClient(
        tx,
        {
          name: "Domain A's MCP app",
          type: "public",
          authMethod: "client_secret_basic",
          redirectUris: [PROBE_REDIRECT],
          scopes: ["mcp:read"],
          domainId: domainA.id,
          skipConsent: false,
        },
        { createdBy: owner.userId, mcpResource: mcpUrl.href },
      ),
    );
    const before = { a: await mcpCallsSeenBy(adminA.cookie), b: await mcpCallsSeenBy(adminB.cookie) };
    const { accessToken } = await issueUserToken(server.baseUrl, person.cookie, { clientId: client.clientId });

    for (const id of [1, 2]) expect((await postMcp(server.baseUrl, accessToken, toolCall("whoami", {}, id))).status).toBe(200);

    const events = await toolCallEvents(client.clientId);
    expect(events.map((event) => event.domainId)).toEqual([domainA.id, domainA.id]);
    expect(await mcpCallsSeenBy(adminA.cookie)).toBe(before.a + 2);
    expect(await mcpCallsSeenBy(adminB.cookie)).toBe(before.b);
    // Stamped now, so inside the 24 hours counted above.
    expect(Date.now() - events[0]!.at.getTime()).toBeLessThan(HOUR_MS);
  });

  test("a call through an installation-wide client is filed under the person's only domain, and under none for someone in two", async () => {
    const [domainA, domainB] = [await createDomain(server.database.db), await createDomain(server.database.db)];
    const adminA = await domainAdmin(domainA.id);
    const inA = await signUp(server.auth);
    await grantRole(server.database.db, inA.userId, MEMBER_ROLE_ID, domainA.id);
    const inBoth = await signUp(server.auth);
    await grantRole(server.database.db, inBoth.userId, MEMBER_ROLE_ID, domainA.id);
    await grantRole(server.database.db, inBoth.userId, MEMBER_ROLE_ID, domainB.id);
    const before = await mcpCallsSeenBy(adminA.cookie);

    const mine = await issueUserToken(server.baseUrl, inA.cookie);
    const theirs = await issueUserToken(server.baseUrl, inBoth.cookie);
    expect((await postMcp(server.baseUrl, mine.accessToken, toolCall("whoami"))).status).toBe(200);
    expect((await postMcp(server.baseUrl, theirs.accessToken, toolCall("whoami"))).status).toBe(200);

    expect((await toolCallEvents(mine.clientId)).map((event) => event.domainId)).toEqual([domainA.id]);
    expect((await toolCallEvents(theirs.clientId)).map((event) => event.domainId)).toEqual([null]);
    expect(await mcpCallsSeenBy(adminA.cookie)).toBe(before + 1);
  });
});

describe("/mcp refuses", () => {
  let member: { userId: string; cookie: string };
  const whoamiCall = toolCall("whoami");
  const challengeFor = (error: string, description: string) =>
    `Bearer error="${error}", error_description="${description}", resource_metadata="${resourceMetadataUrl}"`;

  beforeAll(async () => {
    member = await signUp(server.auth);
  });

  test("a request without a token: 401 naming the resource metadata and every MCP scope with offline_access, which the metadata lists too", async () => {
    const response = await postMcp(server.baseUrl, null, whoamiCall);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(`Bearer scope="${EVERY_SCOPE}", resource_metadata="${resourceMetadataUrl}"`);
    expect(await response.json()).toEqual({ error: "unauthorized", error_description: "Send an access token for this resource" });

    const basic = await postMcp(server.baseUrl, null, whoamiCall, { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get("www-authenticate")).toBe(`Bearer scope="${EVERY_SCOPE}", resource_metadata="${resourceMetadataUrl}"`);

    const metadata = await fetch(resourceMetadataUrl);
    expect(await metadata.json()).toMatchObject({
      resource: mcpUrl.href,
      authorization_servers: [`${server.baseUrl}/api/auth`],
      bearer_methods_supported: ["header"],
      scopes_supported: EVERY_SCOPE.split(" "),
    });
  });

  test("a tampered token: 401 invalid_token, even though its claims would widen the scope", async () => {
    const { accessToken } = await issueUserToken(server.baseUrl, member.cookie);
    expect((await postMcp(server.baseUrl, accessToken, whoamiCall)).status).toBe(200);
    const [header, payload, signature] = accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: "mcp:read mcp:write mcp:admin" })).toString("base64url");

    const response = await postMcp(server.baseUrl, `${header}.${widened}.${signature}`, whoamiCall);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(challengeFor("invalid_token", "The access token signature is invalid"));
    expect(await response.json()).toEqual({ error: "invalid_token", error_description: "The access token signature is invalid" });
  });

  test("an expired token: 401 invalid_token once its exp has passed", async () => {
    // A real short-lived token: the verifier must see the expiry in the JWT itself, not in any row.
    const shortLived = await startOAuthTestServer({ oauth: { accessTokenTtlSeconds: 3 } });
    try {
      const person = await createSignedInOwner(shortLived.database.db, shortLived.auth);
      const { accessToken } = await issueUserToken(shortLived.baseUrl, person.cookie);
      const { exp } = decodeJwt(accessToken);
      expect((await postMcp(shortLived.baseUrl, accessToken, whoamiCall)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, exp! * 1000 - Date.now() + 50));

      const response = await postMcp(shortLived.baseUrl, accessToken, whoamiCall);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(
        `Bearer error="invalid_token", error_description="The access token has expired", resource_metadata="${shortLived.baseUrl}/.well-known/oauth-protected-resource/mcp"`,
      );
    } finally {
      await shortLived.close();
    }
  });

  test("a token minted for another resource, or with no resource at all", async () => {
    // A second resource on the same authorization server: same issuer, same signing key, another audience.
    const other = "https://reports.example/api";
    const headers = new Headers({ cookie: owner.cookie });
    await server.auth.api.adminCreateOAuthResource({ body: { identifier: other, name: "Reports" }, headers });
    const clientId = await registerPublicClient(server.baseUrl);
    await server.auth.api.adminLinkClientResource({ params: { identifier: other, client_id: clientId }, headers });
    const elsewhere = await issueUserToken(server.baseUrl, member.cookie, { resource: other, clientId });
    expect(decodeJwt(elsewhere.accessToken).aud).toBe(other);
    const response = await postMcp(server.baseUrl, elsewhere.accessToken, whoamiCall);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(challengeFor("invalid_token", "The access token is for another resource"));

    // Without RFC 8707 the provider hands out an opaque token, which is nobody's audience.
    const unbound = await issueUserToken(server.baseUrl, member.cookie, { resource: null });
    expect(unbound.accessToken.split(".")).toHaveLength(1);
    const opaque = await postMcp(server.baseUrl, unbound.accessToken, whoamiCall);
    expect(opaque.status).toBe(401);
    expect(opaque.headers.get("www-authenticate")).toBe(challengeFor("invalid_token", "The access token is malformed"));
  });

  test("a token whose grant an admin revoked: the call before succeeds, the call after is 401", async () => {
    const { accessToken, clientId } = await issueUserToken(server.baseUrl, member.cookie);
    expect((await postMcp(server.baseUrl, accessToken, whoamiCall)).status).toBe(200);
    await (await callerFor(owner.cookie)).grants.revoke({ userId: member.userId, clientId });

    const response = await postMcp(server.baseUrl, accessToken, whoamiCall);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(challengeFor("invalid_token", "The access token has been revoked"));
  });

  test("a token of a user who is then banned: 401 at the next call", async () => {
    const person = await signUp(server.auth);
    const { accessToken } = await issueUserToken(server.baseUrl, person.cookie);
    expect((await postMcp(server.baseUrl, accessToken, whoamiCall)).status).toBe(200);
    await (await callerFor(owner.cookie)).users.ban({ id: person.userId, reason: "compromised laptop" });

    const response = await postMcp(server.baseUrl, accessToken, whoamiCall);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(challengeFor("invalid_token", "The access token has been revoked"));
  });

  test("a token in the query string: 400, and the token is not used even when it is valid", async () => {
    const { accessToken, clientId } = await issueUserToken(server.baseUrl, member.cookie);
    const withoutHeader = await postMcp(server.baseUrl, null, whoamiCall, { path: `/mcp?access_token=${accessToken}` });
    expect(withoutHeader.status).toBe(400);
    expect(withoutHeader.headers.get("www-authenticate")).toBe(challengeFor("invalid_request", "Token in the query string"));
    expect(await withoutHeader.json()).toEqual({
      error: "invalid_request",
      error_description: "Send the access token in the Authorization header, never in the URL",
    });
    const alongsideHeader = await postMcp(server.baseUrl, accessToken, whoamiCall, { path: `/mcp?access_token=${accessToken}` });
    expect(alongsideHeader.status).toBe(400);
    expect(await toolCallEvents(clientId)).toEqual([]);
  });

  test("a page on a foreign origin: 403; the console's own origin is let through", async () => {
    const { accessToken } = await issueUserToken(server.baseUrl, member.cookie);
    const foreign = await postMcp(server.baseUrl, accessToken, whoamiCall, { headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: "forbidden", error_description: "Requests from this origin are not accepted" });
    // The same host on another port is another origin (DNS rebinding lands exactly there).
    const otherPort = await postMcp(server.baseUrl, accessToken, whoamiCall, { headers: { origin: "http://127.0.0.1:1" } });
    expect(otherPort.status).toBe(403);
    expect((await postMcp(server.baseUrl, accessToken, whoamiCall, { headers: { origin: server.baseUrl } })).status).toBe(200);
  });

  test("GET and DELETE without a token: 401 with the same challenge as POST, so a client that opens the stream first learns where to authorize", async () => {
    const post = await fetch(mcpUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(whoamiCall) });
    expect(post.status).toBe(401);
    const challenge = post.headers.get("www-authenticate");
    expect(challenge).toContain("resource_metadata=");
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(mcpUrl, { method, headers: { accept: "text/event-stream" } });
      expect(response.status, method).toBe(401);
      expect(response.headers.get("www-authenticate"), method).toBe(challenge);
      expect(await response.json(), method).toEqual(await post.clone().json());
      const badToken = await fetch(mcpUrl, { method, headers: { authorization: "Bearer not-a-token", accept: "text/event-stream" } });
      expect(badToken.status, method).toBe(401);
      expect(badToken.headers.get("www-authenticate"), method).toContain('error="invalid_token"');
    }
  });

  test("GET and DELETE with a valid token: 405, since the endpoint keeps no stream or session", async () => {
    const { accessToken } = await issueUserToken(server.baseUrl, member.cookie);
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(mcpUrl, { method, headers: { authorization: `Bearer ${accessToken}`, accept: "text/event-stream" } });
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow"), method).toBe("POST");
      expect(await response.json(), method).toEqual({
        error: "method_not_allowed",
        error_description: "This endpoint is stateless: POST JSON-RPC messages",
      });
    }
  });

  test("a client_credentials token: 401, because the tools act for a person and it acts for no one", async () => {
    const { client, clientSecret } = await server.database.db.transaction((tx) =>
      createClient(
        tx,
        {
          name: "Machine",
          type: "confidential",
          authMethod: "client_secret_basic",
          redirectUris: ["https://machine.example/cb"],
          scopes: ["mcp:read", "mcp:admin"],
          domainId: null,
          skipConsent: false,
        },
        { createdBy: owner.userId, mcpResource: mcpUrl.href },
      ),
    );
    const tokenResponse = await fetch(`${server.baseUrl}/api/auth/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "mcp:read mcp:admin", resource: mcpUrl.href }),
    });
    const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
    expect(decodeJwt(accessToken)).toMatchObject({ sub: client.clientId, aud: mcpUrl.href });

    const response = await postMcp(server.baseUrl, accessToken, whoamiCall);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      challengeFor("invalid_token", "The console's tools act for a person; this token acts for a client"),
    );
    expect(await toolCallEvents(client.clientId)).toEqual([]);
  });

  test("a body over 1 MB: 413, whether the length is declared or streamed", async () => {
    const { accessToken } = await issueUserToken(server.baseUrl, member.cookie);
    const padded = JSON.stringify(toolCall("whoami", { padding: "x".repeat(1024 * 1024) }));
    const declared = await postMcp(server.baseUrl, accessToken, padded);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: "invalid_request", error_description: "The request body is larger than 1 MB" });

    const bytes = new TextEncoder().encode(padded);
    const streamed = await fetch(mcpUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);

    // Just under the limit is an ordinary call.
    const fits = JSON.stringify(toolCall("whoami", { padding: "" }));
    const room = 1024 * 1024 - fits.length;
    expect((await postMcp(server.baseUrl, accessToken, JSON.stringify(toolCall("whoami", { padding: "x".repeat(room) })))).status).toBe(200);
  });

  test("a body that is not JSON: 415 for another media type, 400 with a JSON-RPC parse error for broken JSON", async () => {
    const { accessToken } = await issueUserToken(server.baseUrl, member.cookie);
    const text = await postMcp(server.baseUrl, accessToken, "whoami please", { headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({ error: "invalid_request", error_description: "Send JSON-RPC as application/json" });

    const broken = await postMcp(server.baseUrl, accessToken, '{"jsonrpc":"2.0","id":1,"method":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not valid JSON" } });
  });

  test("JSON that is not a JSON-RPC 2.0 message (null, a string, an empty batch, another version, an object id) is an invalid request, not a 500", async () => {
    const { accessToken } = await issueUserToken(server.baseUrl, member.cookie);
    const wrongVersion = JSON.stringify({ jsonrpc: "1.0", id: 1, method: "tools/list" });
    const objectId = JSON.stringify({ jsonrpc: "2.0", id: { nested: true }, method: "tools/list" });
    for (const body of ["null", '"tools/list"', "42", "[]", "[null]", "[[]]", wrongVersion, objectId]) {
      const response = await postMcp(server.baseUrl, accessToken, body);
      expect(response.status, body).toBe(400);
      expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    }
  });
});

describe("resources, prompts, completion and logging", () => {
  /** One JSON-RPC request over plain HTTP, answered as JSON. */
  async function rpc(token: string, method: string, params: Record<string, unknown> = {}) {
    const response = await postMcp(server.baseUrl, token, { jsonrpc: "2.0", id: 7, method, params });
    return { status: response.status, body: (await response.json()) as { result?: Record<string, unknown>; error?: { code: number; message: string } } };
  }

  async function eventsOf(clientId: string, action: string) {
    return server.database.db
      .select()
      .from(auditEvent)
      .where(and(eq(auditEvent.action, action), eq(auditEvent.clientId, clientId)))
      .orderBy(auditEvent.at, auditEvent.id);
  }

  test("the SDK client lists the templates, completes an argument, reads a resource and gets a prompt over HTTP; reads and prompts are audited", async () => {
    const { client, clientId } = await connectThroughOAuth(owner.cookie, "Resource client");
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {}, completions: {}, logging: {} });

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(RESOURCE_TEMPLATES);
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual(["gatehouse://me"]);

    const { completion } = await client.complete({
      ref: { type: "ref/resource", uri: "gatehouse://users/{userId}" },
      argument: { name: "userId", value: owner.email.slice(0, -4) },
    });
    expect(completion.values).toEqual([owner.userId]);

    const uri = `gatehouse://users/${completion.values[0]}`;
    const read = await client.readResource({ uri });
    expect(read.contents).toEqual([{ uri, mimeType: "application/json", text: expect.any(String) }]);
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ id: owner.userId, email: owner.email });

    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual([
      "review_admin_access",
      "investigate_user_activity",
      "audit_recent_security_events",
    ]);
    const prompt = await client.getPrompt({ name: "investigate_user_activity", arguments: { user: owner.email } });
    expect(JSON.stringify(prompt.messages)).toContain(`actorUserId \\"${owner.userId}\\"`);

    const reads = await eventsOf(clientId, "mcp.resource_read");
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      actorVia: "mcp",
      actorUserId: owner.userId,
      targetType: "mcp_resource",
      targetId: uri,
      details: { template: "gatehouse://users/{userId}", scope: "mcp:read", outcome: "ok" },
    });
    const prompts = await eventsOf(clientId, "mcp.prompt_got");
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({
      actorUserId: owner.userId,
      targetType: "mcp_prompt",
      targetId: "investigate_user_activity",
      details: { arguments: { user: owner.email }, outcome: "ok" },
    });
    // Listing and completing read no entity worth a row each keystroke.
    expect(await toolCallEvents(clientId)).toEqual([]);
    await client.close();
  });

  test("a member's token lists no template and no prompt; reading a user, getting a prompt or completing is refused naming the permission, and audited", async () => {
    const ownerToken = await issueUserToken(server.baseUrl, owner.cookie);
    // The owner's answer goes into the listing cache first; the member's must not come from it.
    expect((await rpc(ownerToken.accessToken, "resources/templates/list")).body.result?.resourceTemplates).toHaveLength(RESOURCE_TEMPLATES.length);
    const member = await signUp(server.auth);
    const { accessToken, clientId } = await issueUserToken(server.baseUrl, member.cookie);

    expect((await rpc(accessToken, "resources/templates/list")).body).toMatchObject({ result: { resourceTemplates: [] } });
    expect((await rpc(accessToken, "prompts/list")).body).toMatchObject({ result: { prompts: [] } });
    expect((await rpc(accessToken, "resources/list")).body.result?.resources).toEqual([expect.objectContaining({ uri: "gatehouse://me" })]);

    const uri = `gatehouse://users/${owner.userId}`;
    const read = await rpc(accessToken, "resources/read", { uri });
    expect(read).toEqual({
      status: 200,
      body: {
        jsonrpc: "2.0",
        id: 7,
        error: { code: -32602, message: "gatehouse://users/{userId} needs the users:read permission, which your roles do not grant." },
      },
    });
    const prompt = await rpc(accessToken, "prompts/get", { name: "investigate_user_activity", arguments: { user: owner.email } });
    expect(prompt.body.error).toEqual({
      code: -32602,
      message: "investigate_user_activity needs the users:read, tokens:read, audit:read permissions, which your roles do not grant.",
    });
    const completion = await rpc(accessToken, "completion/complete", {
      ref: { type: "ref/resource", uri: "gatehouse://users/{userId}" },
      argument: { name: "userId", value: "" },
    });
    expect(completion.body.error?.message).toBe("gatehouse://users/{userId} needs the users:read permission, which your roles do not grant.");

    expect((await eventsOf(clientId, "mcp.resource_read")).map((event) => [event.targetId, event.details.outcome])).toEqual([[uri, "FORBIDDEN"]]);
    expect((await eventsOf(clientId, "mcp.prompt_got")).map((event) => [event.targetId, event.details.outcome])).toEqual([
      ["investigate_user_activity", "FORBIDDEN"],
    ]);
  });

  test("a domain admin's token: a user in another domain is exactly as not found as one that does not exist", async () => {
    const domainA = await createDomain(server.database.db);
    const domainB = await createDomain(server.database.db);
    const admin = await signUp(server.auth);
    await grantRole(server.database.db, admin.userId, DOMAIN_ADMIN_ROLE_ID, domainA.id);
    const inA = await signUp(server.auth);
    await grantRole(server.database.db, inA.userId, MEMBER_ROLE_ID, domainA.id);
    const inB = await signUp(server.auth);
    await grantRole(server.database.db, inB.userId, MEMBER_ROLE_ID, domainB.id);
    const { accessToken } = await issueUserToken(server.baseUrl, admin.cookie);

    const mine = await rpc(accessToken, "resources/read", { uri: `gatehouse://users/${inA.userId}` });
    expect(JSON.parse((mine.body.result!.contents as { text: string }[])[0]!.text)).toMatchObject({ id: inA.userId });
    const elsewhere = await rpc(accessToken, "resources/read", { uri: `gatehouse://users/${inB.userId}` });
    const nowhere = await rpc(accessToken, "resources/read", { uri: "gatehouse://users/no-such-user" });
    expect(elsewhere.body.error).toEqual({ code: -32002, message: "User not found.", data: { uri: `gatehouse://users/${inB.userId}` } });
    expect(nowhere.body.error).toEqual({ ...elsewhere.body.error, data: { uri: "gatehouse://users/no-such-user" } });
  });

  test("a token without mcp:read: reading, getting a prompt or completing is 403 insufficient_scope for mcp:read; the listings answer empty", async () => {
    const clientId = await registerPublicClient(server.baseUrl, "mcp:admin");
    const { accessToken } = await issueUserToken(server.baseUrl, owner.cookie, { scope: "mcp:admin", clientId });
    const requests: [string, Record<string, unknown>][] = [
      ["resources/read", { uri: "gatehouse://me" }],
      ["resources/read", { uri: `gatehouse://users/${owner.userId}` }],
      ["prompts/get", { name: "review_admin_access" }],
      ["completion/complete", { ref: { type: "ref/prompt", name: "investigate_user_activity" }, argument: { name: "user", value: "" } }],
      ["completion/complete", { ref: { type: "ref/resource", uri: "gatehouse://roles/{roleId}" }, argument: { name: "roleId", value: "" } }],
    ];
    for (const [method, params] of requests) {
      const response = await postMcp(server.baseUrl, accessToken, { jsonrpc: "2.0", id: 1, method, params });
      expect(response.status, method).toBe(403);
      expect(response.headers.get("www-authenticate"), method).toContain('error="insufficient_scope", scope="mcp:admin mcp:read"');
    }
    expect((await rpc(accessToken, "resources/templates/list")).body.result).toEqual({ resourceTemplates: [] });
    expect((await rpc(accessToken, "resources/list")).body.result).toEqual({ resources: [] });
    expect((await rpc(accessToken, "prompts/list")).body.result).toEqual({ prompts: [] });
    expect(((await rpc(accessToken, "tools/list")).body.result?.tools as unknown[]).length).toBeGreaterThan(0);
  });

  test("a request for a method the server does not declare is answered 'method not found' before the transport", async () => {
    const { accessToken } = await issueUserToken(server.baseUrl, owner.cookie);
    for (const method of ["resources/subscribe", "tasks/list", "sampling/createMessage", "toString", "__proto__"]) {
      expect((await rpc(accessToken, method)).body, method).toEqual({ jsonrpc: "2.0", id: 7, error: { code: -32601, message: "Method not found" } });
    }
    // Inside a batch the SDK would answer the declared part; the table refuses the whole batch first.
    const batch = await postMcp(server.baseUrl, accessToken, [
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { jsonrpc: "2.0", id: 2, method: "resources/subscribe", params: { uri: "gatehouse://me" } },
    ]);
    expect(batch.status).toBe(400);
    expect(await batch.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
  });

  test("logging: after logging/setLevel, a call's answer comes as an event stream carrying its log message; before it, and for another client, plain JSON", async () => {
    const first = await connectThroughOAuth(owner.cookie, "Logging client");
    const second = await connectThroughOAuth(owner.cookie, "Quiet client");
    const heard: { client: string; data: unknown; level: string }[] = [];
    for (const [name, connection] of [["first", first], ["second", second]] as const) {
      connection.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
        heard.push({ client: name, data: notification.params.data, level: notification.params.level });
      });
    }
    const lastMcpAnswer = (requests: RecordedRequest[]) => requests.filter((request) => request.method === "POST" && request.url.pathname === "/mcp").at(-1)!;

    await first.client.callTool({ name: "whoami", arguments: {} });
    expect(lastMcpAnswer(first.requests).responseHeaders.get("content-type")).toContain("application/json");
    expect(heard).toEqual([]);

    await first.client.setLoggingLevel("info");
    const result = (await first.client.callTool({ name: "whoami", arguments: {} })) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ user: { id: owner.userId } });
    expect(lastMcpAnswer(first.requests).responseHeaders.get("content-type")).toContain("text/event-stream");
    await first.client.readResource({ uri: "gatehouse://me" });
    await second.client.callTool({ name: "whoami", arguments: {} });
    expect(lastMcpAnswer(second.requests).responseHeaders.get("content-type")).toContain("application/json");

    expect(heard).toEqual([
      { client: "first", level: "info", data: expect.stringMatching(/^whoami answered in \d+ ms/) },
      { client: "first", level: "info", data: expect.stringMatching(/^gatehouse:\/\/me was read in \d+ ms/) },
    ]);

    await first.client.setLoggingLevel("error");
    await first.client.callTool({ name: "whoami", arguments: {} });
    expect(heard).toHaveLength(2);
    await first.client.close();
    await second.client.close();
  });
});
