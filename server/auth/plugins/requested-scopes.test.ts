import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { DOMAIN_ADMIN_ROLE_ID, MEMBER_ROLE_ID, auditEvent, oauthClient, oauthConsent } from "@/db/schema";
import { createClient } from "@/server/clients/commands";
import { storedStringArray } from "@/server/oauth/stored";
import { createSignedInOwner, signUp } from "@/server/testing/auth";
import { createDomain, grantRole } from "@/server/testing/authz";
import {
  authorizationRequest,
  authorizeInBrowser,
  exchangeCode,
  PROBE_REDIRECT,
  registerPublicClient,
  type AuthorizationRequest,
} from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { decodeJwt } from "jose";

let server: OAuthTestServer;
let owner: { userId: string; cookie: string };

beforeAll(async () => {
  server = await startOAuthTestServer();
  owner = await createSignedInOwner(server.database.db, server.auth);
});

afterAll(() => server?.close());

const EVERY_TIER = "mcp:read mcp:write mcp:admin";

async function consoleClient(scopes: ("openid" | "offline_access" | "mcp:read" | "mcp:write" | "mcp:admin")[], domainId: string | null) {
  const created = await server.database.db.transaction((tx) =>
    createClient(
      tx,
      { name: "Scoped app", type: "public", redirectUris: [PROBE_REDIRECT], scopes, authMethod: "client_secret_basic", domainId, skipConsent: false },
      { createdBy: owner.userId, mcpResource: `${server.baseUrl}/mcp` },
    ),
  );
  return created.client.clientId;
}

/** Authorizes in the person's browser and redeems the code: what the consent page listed, and the token's scope. */
async function grantedThrough(request: AuthorizationRequest, cookie: string) {
  const { location, consentScopes } = await authorizeInBrowser(request.url, { cookie });
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code: ${location.href}`);
  const { accessToken } = await exchangeCode(request, code);
  return { consentScopes, scope: decodeJwt(accessToken).scope };
}

test("a domain's client gets only the tiers its person's roles use in that domain, whatever they administer elsewhere; an installation-wide client counts every domain", async () => {
  const home = (await createDomain(server.database.db, { name: "Home" })).id;
  const elsewhere = (await createDomain(server.database.db, { name: "Elsewhere" })).id;
  const person = await signUp(server.auth);
  await grantRole(server.database.db, person.userId, MEMBER_ROLE_ID, home);
  await grantRole(server.database.db, person.userId, DOMAIN_ADMIN_ROLE_ID, elsewhere);

  const homeClient = await consoleClient(["mcp:read", "mcp:write", "mcp:admin"], home);
  const inHome = await grantedThrough(authorizationRequest(server.baseUrl, { clientId: homeClient, scope: EVERY_TIER }), person.cookie);
  expect(inHome).toEqual({ consentScopes: ["mcp:read"], scope: "mcp:read" });

  // Through a client of the whole installation, the domain admin's tools in the other domain count.
  const anywhere = await registerPublicClient(server.baseUrl);
  const everywhere = await grantedThrough(authorizationRequest(server.baseUrl, { clientId: anywhere, scope: EVERY_TIER }), person.cookie);
  expect(everywhere).toEqual({ consentScopes: EVERY_TIER.split(" "), scope: EVERY_TIER });
});

test("a request left with no tier the person can use is refused with access_denied at the redirect URI, audited, with no consent page and no consent stored", async () => {
  const member = await signUp(server.auth);
  const clientId = await registerPublicClient(server.baseUrl);
  const { url } = authorizationRequest(server.baseUrl, { clientId, scope: "mcp:admin offline_access", state: "nothing-usable" });
  const { location, consentShown } = await authorizeInBrowser(url, { cookie: member.cookie });

  expect(consentShown).toBe(false);
  expect(location.origin + location.pathname).toBe(PROBE_REDIRECT);
  expect(Object.fromEntries(location.searchParams)).toMatchObject({
    error: "access_denied",
    state: "nothing-usable",
    iss: `${server.baseUrl}/api/auth`,
  });
  expect(location.searchParams.get("error_description")).toMatch(/Your roles do not allow any of the access/);
  expect(location.searchParams.get("code")).toBeNull();
  const denied = await server.database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "oauth.authorize_denied"), eq(auditEvent.actorUserId, member.userId)));
  expect(denied.map((event) => event.details)).toEqual([{ reason: "no_usable_scope", scope: "mcp:admin offline_access", redirectUri: PROBE_REDIRECT }]);
  expect(await server.database.db.$count(oauthConsent, eq(oauthConsent.userId, member.userId))).toBe(0);
});

test("an OpenID request keeps its OpenID scopes when the tiers it asked for are dropped", async () => {
  const member = await signUp(server.auth);
  const clientId = await registerPublicClient(server.baseUrl, "openid mcp:read");
  const granted = await grantedThrough(authorizationRequest(server.baseUrl, { clientId, scope: "openid mcp:write" }), member.cookie);
  expect(granted).toEqual({ consentScopes: ["openid"], scope: "openid" });
});

test("a signed-out request for a tier beyond a scope-less registration goes to sign-in, not invalid_scope", async () => {
  const registered = await fetch(`${server.baseUrl}/api/auth/oauth2/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "Scope-less", redirect_uris: [PROBE_REDIRECT], token_endpoint_auth_method: "none" }),
  });
  const { client_id: clientId } = (await registered.json()) as { client_id: string };
  const { url } = authorizationRequest(server.baseUrl, { clientId, scope: EVERY_TIER });
  const first = await fetch(url, { redirect: "manual" });
  const target = new URL(first.headers.get("location") ?? ((await first.json()) as { url: string }).url, server.baseUrl);
  expect(target.pathname).toBe("/sign-in");
  expect(target.searchParams.get("scope")).toBe(EVERY_TIER);
  const [row] = await server.database.db.select({ scopes: oauthClient.scopes }).from(oauthClient).where(eq(oauthClient.clientId, clientId));
  expect(storedStringArray(row?.scopes)).toEqual(["mcp:read", "offline_access", "mcp:write", "mcp:admin"]);
});

test("a console client stays bounded by the scopes an administrator gave it, for the owner too: asking beyond them is invalid_scope", async () => {
  const clientId = await consoleClient(["openid", "mcp:read"], null);
  const { url } = authorizationRequest(server.baseUrl, { clientId, scope: "mcp:read mcp:write", state: "beyond" });
  const { location, consentShown } = await authorizeInBrowser(url, { cookie: owner.cookie });
  expect(consentShown).toBe(false);
  expect(location.searchParams.get("error")).toBe("invalid_scope");
  const [row] = await server.database.db.select({ scopes: oauthClient.scopes }).from(oauthClient).where(eq(oauthClient.clientId, clientId));
  expect(row?.scopes).toEqual(["openid", "mcp:read"]);
});
