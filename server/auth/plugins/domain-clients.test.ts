import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { MEMBER_ROLE_ID, auditEvent, oauthConsent, roleAssignment, verification } from "@/db/schema";
import { createClient } from "@/server/clients/commands";
import { createSignedInOwner, signUp, TEST_PASSWORD, uniqueEmail } from "@/server/testing/auth";
import { createDomain, grantRole } from "@/server/testing/authz";
import { authorizationRequest, authorizeInBrowser, PROBE_REDIRECT } from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";

let server: OAuthTestServer;
let owner: { userId: string; cookie: string };
let domainId: string;
let clientId: string;

beforeAll(async () => {
  server = await startOAuthTestServer();
  owner = await createSignedInOwner(server.database.db, server.auth);
  domainId = (await createDomain(server.database.db, { name: "Tenant" })).id;
  const created = await server.database.db.transaction((tx) =>
    createClient(
      tx,
      {
        name: "Tenant app",
        type: "public",
        redirectUris: [PROBE_REDIRECT, "com.example.tenant:/callback"],
        scopes: ["openid", "mcp:read", "mcp:admin"],
        authMethod: "client_secret_basic",
        domainId,
        skipConsent: false,
      },
      { createdBy: owner.userId, mcpResource: `${server.baseUrl}/mcp` },
    ),
  );
  clientId = created.client.clientId;
});

afterAll(() => server?.close());

const issuer = () => `${server.baseUrl}/api/auth`;

async function deniedEvents(userId: string) {
  return server.database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "oauth.authorize_denied"), eq(auditEvent.actorUserId, userId)));
}

/** What the client finds at its redirect URI after a refusal: RFC 6749 §4.1.2.1 with RFC 9207's iss. */
function expectAccessDenied(location: URL, state: string) {
  expect(location.origin + location.pathname).toBe(PROBE_REDIRECT);
  expect(location.searchParams.get("error")).toBe("access_denied");
  expect(location.searchParams.get("error_description")).toMatch(/belongs to a domain you are not a member of/);
  expect(location.searchParams.get("state")).toBe(state);
  expect(location.searchParams.get("iss")).toBe(issuer());
  expect(location.searchParams.get("code")).toBeNull();
}

test("someone with no role in the client's domain gets access_denied at the redirect URI, before any consent, and the audit log says why", async () => {
  const outsider = await signUp(server.auth);
  const { url } = authorizationRequest(server.baseUrl, { clientId, state: "outsider-state" });
  const { location, consentShown } = await authorizeInBrowser(url, { cookie: outsider.cookie });
  expect(consentShown).toBe(false);
  expectAccessDenied(location, "outsider-state");
  const events = await deniedEvents(outsider.userId);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actorVia: "oauth",
    clientId,
    targetType: "client",
    targetId: clientId,
    domainId,
    details: { reason: "not_a_domain_member", redirectUri: PROBE_REDIRECT },
  });
  expect(await server.database.db.$count(oauthConsent, eq(oauthConsent.userId, outsider.userId))).toBe(0);
});

test("a browser navigation gets the same refusal as a 302", async () => {
  const outsider = await signUp(server.auth);
  const { url } = authorizationRequest(server.baseUrl, { clientId, state: "navigated", redirectUri: "com.example.tenant:/callback" });
  // Node's fetch always says Sec-Fetch-Mode: cors, so the navigation goes to the handler directly.
  const response = await server.auth.handler(
    new Request(url, { headers: { cookie: outsider.cookie, "sec-fetch-mode": "navigate", accept: "text/html" } }),
  );
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location")!);
  expect(location.protocol + location.pathname).toBe("com.example.tenant:/callback");
  expect(location.searchParams.get("error")).toBe("access_denied");
  expect(location.searchParams.get("state")).toBe("navigated");
});

test("the installation's owner is not a member of a domain by their global role: a domain's app does not act for them", async () => {
  const { url } = authorizationRequest(server.baseUrl, { clientId, state: "owner-state" });
  const { location, consentShown } = await authorizeInBrowser(url, { cookie: owner.cookie });
  expect(consentShown).toBe(false);
  expectAccessDenied(location, "owner-state");
  expect(await deniedEvents(owner.userId)).toHaveLength(1);
});

test("a member of the domain is asked for consent as usual, and gets a code", async () => {
  const member = await signUp(server.auth);
  await grantRole(server.database.db, member.userId, MEMBER_ROLE_ID, domainId);
  const { url } = authorizationRequest(server.baseUrl, { clientId, state: "member-state" });
  const { location, consentShown } = await authorizeInBrowser(url, { cookie: member.cookie });
  expect(consentShown).toBe(true);
  expect(location.searchParams.get("code")).toBeTruthy();
  expect(location.searchParams.get("state")).toBe("member-state");
  expect(await deniedEvents(member.userId)).toEqual([]);
});

test("a request the provider itself refuses (an unregistered redirect URI) never goes to that URI, and someone not signed in is sent to sign in", async () => {
  const outsider = await signUp(server.auth);
  const { url } = authorizationRequest(server.baseUrl, { clientId, redirectUri: "https://attacker.example/callback" });
  const refused = await authorizeInBrowser(url, { cookie: outsider.cookie });
  expect(refused.location.href.startsWith("https://attacker.example")).toBe(false);
  expect(await deniedEvents(outsider.userId)).toEqual([]);

  const anonymous = await authorizeInBrowser(authorizationRequest(server.baseUrl, { clientId }).url, { cookie: "" });
  expect(anonymous.location.pathname).toBe("/sign-in");
});

test("signing in from the authorization request does not get an outsider past the check", async () => {
  const email = uniqueEmail("late");
  const outsider = await signUp(server.auth, email);
  const { url } = authorizationRequest(server.baseUrl, { clientId, state: "after-sign-in" });
  const toSignIn = await authorizeInBrowser(url, { cookie: "" });
  expect(toSignIn.location.pathname).toBe("/sign-in");
  const signIn = await fetch(`${server.baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ email, password: TEST_PASSWORD, oauth_query: toSignIn.location.search.slice(1) }),
  });
  const answer = (await signIn.json()) as { url?: string };
  expect(answer.url).toBeDefined();
  expectAccessDenied(new URL(answer.url!), "after-sign-in");
  expect(await deniedEvents(outsider.userId)).toHaveLength(1);
});

test("a member who loses the role while on the consent page is refused when they press Allow", async () => {
  const member = await signUp(server.auth);
  await grantRole(server.database.db, member.userId, MEMBER_ROLE_ID, domainId);
  const { url } = authorizationRequest(server.baseUrl, { clientId, state: "at-consent" });
  const first = await fetch(url, { headers: { cookie: member.cookie }, redirect: "manual" });
  const consentPage = new URL(((await first.json()) as { url: string }).url, server.baseUrl);
  expect(consentPage.pathname).toBe("/consent");

  await server.database.db
    .delete(roleAssignment)
    .where(and(eq(roleAssignment.userId, member.userId), eq(roleAssignment.domainId, domainId)));
  const codesBefore = await server.database.db.$count(verification);
  const consent = await fetch(`${server.baseUrl}/api/auth/oauth2/consent`, {
    method: "POST",
    headers: { cookie: member.cookie, "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ accept: true, oauth_query: consentPage.search.slice(1) }),
  });
  const answer = (await consent.json()) as { url: string };
  expectAccessDenied(new URL(answer.url), "at-consent");
  expect(await server.database.db.$count(verification)).toBe(codesBefore);
});
