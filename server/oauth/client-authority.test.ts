import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { DOMAIN_ADMIN_ROLE_ID, MEMBER_ROLE_ID, OWNER_ROLE_ID, auditEvent, oauthClient } from "@/db/schema";
import { createSignedInOwner } from "@/server/testing/auth";
import { createDomain, createPersona, grantRole, hasRole } from "@/server/testing/authz";
import { authorizationRequest, authorizeInBrowser, exchangeCode, postMcp, PROBE_REDIRECT, toolCall } from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { rejection } from "@/server/testing/outcome";

let server: OAuthTestServer;

beforeAll(async () => {
  server = await startOAuthTestServer();
});

afterAll(() => server?.close());

async function toolResult(response: Response) {
  expect(response.status).toBe(200);
  const { result } = (await response.json()) as { result: { isError?: boolean; content: { type: string; text: string }[] } };
  return { isError: result.isError === true, text: result.content.map((part) => part.text).join("\n") };
}

/**
 * Issue 14, item 1, over HTTP: a domain administrator makes a consent-free client with mcp:admin,
 * sends the owner its authorization URL, and uses the owner's token to make himself owner through
 * assign_role. Every step is closed on its own.
 */
test("a domain-admin cannot turn a client of his domain into the owner's authority", async () => {
  const deps = { db: server.database.db, auth: server.auth };
  const owner = await createSignedInOwner(server.database.db, server.auth);
  const domainA = await createDomain(server.database.db, { name: "Domain A" });
  const attacker = await createPersona(deps, DOMAIN_ADMIN_ROLE_ID, domainA.id, "attacker");
  const client = { name: "Helpful tool", type: "public" as const, redirectUris: [PROBE_REDIRECT], domainId: domainA.id };

  // 1. A trusted (no consent screen) client needs clients:admin globally, which a domain-admin lacks.
  const clientsBefore = await server.database.db.$count(oauthClient);
  const trusted = await rejection(attacker.caller.clients.create({ ...client, scopes: ["openid", "mcp:read", "mcp:admin"], skipConsent: true }));
  expect(trusted).toMatchObject({ code: "FORBIDDEN", message: "You need the clients:admin permission globally." });
  expect(await server.database.db.$count(oauthClient)).toBe(clientsBefore);

  // 2. A plain client of A with mcp:admin is within what he can use in A (roles:admin there), so it is made.
  const created = await attacker.caller.clients.create({ ...client, scopes: ["mcp:read", "mcp:admin"] });
  expect(created.client).toMatchObject({ domainId: domainA.id, skipConsent: false, scopes: ["mcp:read", "mcp:admin"] });
  const clientId = created.client.clientId;

  // 3. The owner, who holds no role in A, follows the link: access_denied at the client, no consent, no code, audited.
  const lure = authorizationRequest(server.baseUrl, { clientId, scope: "mcp:read mcp:admin", state: "lure" });
  const denied = await authorizeInBrowser(lure.url, { cookie: owner.cookie });
  expect(denied.consentShown).toBe(false);
  expect(denied.location.origin + denied.location.pathname).toBe(PROBE_REDIRECT);
  expect(Object.fromEntries(denied.location.searchParams)).toMatchObject({
    error: "access_denied",
    state: "lure",
    iss: `${server.baseUrl}/api/auth`,
  });
  expect(denied.location.searchParams.get("code")).toBeNull();
  const audit = await server.database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "oauth.authorize_denied"), eq(auditEvent.targetId, clientId)));
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actorUserId: owner.userId, clientId, domainId: domainA.id, details: { reason: "not_a_domain_member" } });

  // 4. Were the owner a member of A, the consent page would come up, and the token would act inside A only.
  await grantRole(server.database.db, owner.userId, MEMBER_ROLE_ID, domainA.id);
  const asMember = authorizationRequest(server.baseUrl, { clientId, scope: "mcp:read mcp:admin", state: "member" });
  const consented = await authorizeInBrowser(asMember.url, { cookie: owner.cookie });
  expect(consented.consentShown).toBe(true);
  const { accessToken } = await exchangeCode(asMember, consented.location.searchParams.get("code")!);

  const escalation = await toolResult(
    await postMcp(server.baseUrl, accessToken, toolCall("assign_role", { userId: attacker.userId, roleId: OWNER_ROLE_ID, domainId: null })),
  );
  expect(escalation).toEqual({ isError: true, text: "You need the roles:admin permission globally." });
  expect(await hasRole(server.database.db, attacker.userId, OWNER_ROLE_ID, null)).toBe(false);

  const domainB = await createDomain(server.database.db, { name: "Domain B" });
  const elsewhere = await toolResult(await postMcp(server.baseUrl, accessToken, toolCall("list_users", { domainId: domainB.id })));
  expect(elsewhere.isError).toBe(true);
  expect(elsewhere.text).toMatch(/not found/i);
});
