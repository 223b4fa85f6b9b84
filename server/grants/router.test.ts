import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { DOMAIN_ADMIN_ROLE_ID, issuedAccessToken, oauthClient, oauthConsent } from "@/db/schema";
import { accessTokenStatus } from "@/server/oauth/issued-tokens";
import { createDomain, createPersona, type Caller, READABLE_ANYWHERE, type Expected, type PersonaName, personaTestBed } from "@/server/testing/authz";
import { grantTestKit, type GrantMatrixRow } from "@/server/testing/grants";
import { outcome, rejection, unique } from "@/server/testing/outcome";
import { grantsRouter } from "./router";

const bed = personaTestBed();

const { seedClient, userIn, issueAccessToken, issueRefreshToken, consent, seedGrant, grantIn, refreshRevoked, consentCount, jwtWith, eventsDuring, personaWith, matrixTests } = grantTestKit(() => bed);

// ---------------------------------------------------------------------------------------------
// Allow/deny matrix

type GrantsProcedure = keyof typeof grantsRouter._def.procedures;

const LIST = READABLE_ANYWHERE;

const REVOKE: Record<PersonaName, Expected> = { ...LIST, domainAdminOnB: "NOT_FOUND", auditor: "FORBIDDEN" };

const GRANTS_MATRIX: Record<GrantsProcedure, GrantMatrixRow> = {
  list: {
    permission: "tokens:read",
    expected: LIST,
    prepare: async (domainId) => ({ call: (caller) => caller.grants.list({ domainId }) }),
  },
  revoke: {
    permission: "tokens:delete",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { userId, clientId } = await grantIn(domainId);
      return {
        call: (caller) => caller.grants.revoke({ userId, clientId }),
        event: { action: "grant.revoked", targetType: "user", targetId: userId },
      };
    },
  },
  revokeToken: {
    permission: "tokens:delete",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { userId } = await userIn(domainId);
      const clientId = await seedClient(domainId);
      const jti = await issueAccessToken(clientId, userId);
      return {
        call: (caller) => caller.grants.revokeToken({ jti }),
        event: { action: "token.revoked", targetType: "client", targetId: clientId, domainId },
      };
    },
  },
  revokeAllForClient: {
    permission: "tokens:admin",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { clientId } = await grantIn(domainId);
      return {
        call: (caller) => caller.grants.revokeAllForClient({ clientId }),
        event: { action: "client.access_revoked", targetType: "client", targetId: clientId, domainId },
      };
    },
  },
};


matrixTests("grants", grantsRouter, GRANTS_MATRIX);

// ---------------------------------------------------------------------------------------------
// listGrants

test("listGrants shows one row per user and client with its scopes, consent and live counts", async () => {
  const holder = await userIn(bed.personas.domainA.id);
  const consented = await seedClient(bed.personas.domainA.id, { name: unique("Consented") });
  const tokenOnly = await seedClient(bed.personas.domainA.id);
  const lapsed = await seedClient(bed.personas.domainA.id);
  await consent(consented, holder.userId, ["openid", "mcp:read"]);
  await issueRefreshToken(consented, holder.userId);
  await issueRefreshToken(consented, holder.userId, { revoked: true });
  await issueAccessToken(consented, holder.userId);
  await issueAccessToken(consented, holder.userId);
  await issueAccessToken(consented, holder.userId, -60);
  await issueAccessToken(tokenOnly, holder.userId, 900, "mcp:read mcp:write");
  // Nothing live is left of this pair, so it is not a grant.
  await issueRefreshToken(lapsed, holder.userId, { revoked: true });
  await issueAccessToken(lapsed, holder.userId, -60);

  const { items, nextCursor } = await bed.personas.owner.caller.grants.list({ userId: holder.userId });
  expect(nextCursor).toBeNull();
  expect(items).toHaveLength(2);
  const byClient = new Map(items.map((item) => [item.clientId, item]));
  expect(byClient.get(consented)).toEqual({
    userId: holder.userId,
    userEmail: holder.email,
    userName: "Test User",
    clientId: consented,
    clientName: expect.stringMatching(/^Consented-/),
    logoUri: null,
    domainId: bed.personas.domainA.id,
    scopes: ["openid", "mcp:read"],
    consented: true,
    createdAt: expect.any(Date),
    lastUsedAt: expect.any(Date),
    refreshTokens: 1,
    liveAccessTokens: 2,
    can: { revoke: true, openClient: true },
  });
  expect(byClient.get(tokenOnly)).toMatchObject({ consented: false, scopes: ["mcp:read", "mcp:write"], refreshTokens: 0, liveAccessTokens: 1 });
});

test("listGrants filters by user, client and owning domain", async () => {
  const tenant = await createDomain(bed.database.db);
  const first = await userIn(null);
  const second = await userIn(null);
  const tenantClient = await seedClient(tenant.id);
  const globalClient = await seedClient(null);
  await seedGrant(first.userId, tenantClient);
  await seedGrant(second.userId, tenantClient);
  await seedGrant(first.userId, globalClient);
  const pairs = async (input: Parameters<Caller["grants"]["list"]>[0]) =>
    (await bed.personas.auditor.caller.grants.list(input)).items.map((item) => `${item.userId}/${item.clientId}`).sort();

  expect(await pairs({ clientId: tenantClient })).toEqual([`${first.userId}/${tenantClient}`, `${second.userId}/${tenantClient}`].sort());
  expect(await pairs({ userId: first.userId })).toEqual([`${first.userId}/${tenantClient}`, `${first.userId}/${globalClient}`].sort());
  expect(await pairs({ domainId: tenant.id })).toEqual([`${first.userId}/${tenantClient}`, `${second.userId}/${tenantClient}`].sort());
  expect(await pairs({ userId: second.userId, clientId: globalClient })).toEqual([]);
});

test("a domain-admin sees grants to its domain's clients and grants held by its members, and no others", async () => {
  const insider = await userIn(bed.personas.domainA.id);
  const outsider = await userIn(bed.personas.domainB.id);
  const clientInA = await seedClient(bed.personas.domainA.id);
  const clientInB = await seedClient(bed.personas.domainB.id);
  const globalClient = await seedClient(null);
  await seedGrant(outsider.userId, clientInA);
  await seedGrant(insider.userId, clientInB);
  await seedGrant(insider.userId, globalClient);
  await seedGrant(outsider.userId, clientInB);
  await seedGrant(outsider.userId, globalClient);

  const visible = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await bed.personas.domainAdminA.caller.grants.list({ limit: 100, cursor });
    for (const item of page.items) visible.add(`${item.userId}/${item.clientId}`);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  expect(visible).toContain(`${outsider.userId}/${clientInA}`);
  expect(visible).toContain(`${insider.userId}/${clientInB}`);
  expect(visible).toContain(`${insider.userId}/${globalClient}`);
  expect(visible).not.toContain(`${outsider.userId}/${clientInB}`);
  expect(visible).not.toContain(`${outsider.userId}/${globalClient}`);
});

test("listGrants pages without repeating or skipping a grant", async () => {
  const holder = await userIn(null);
  const clients: string[] = [];
  for (let index = 0; index < 5; index += 1) {
    const clientId = await seedClient(null);
    clients.push(clientId);
    await seedGrant(holder.userId, clientId);
  }
  const seen: string[] = [];
  let page = await bed.personas.owner.caller.grants.list({ userId: holder.userId, limit: 2 });
  seen.push(...page.items.map((item) => item.clientId));
  while (page.nextCursor) {
    page = await bed.personas.owner.caller.grants.list({ userId: holder.userId, limit: 2, cursor: page.nextCursor });
    seen.push(...page.items.map((item) => item.clientId));
  }
  expect(seen).toHaveLength(clients.length);
  expect([...seen].sort()).toEqual([...clients].sort());
});

// ---------------------------------------------------------------------------------------------
// revokeGrant

test("revokeGrant forgets the consent and revokes the grant's refresh and access tokens, with one event", async () => {
  const holder = await userIn(bed.personas.domainA.id);
  const clientId = await seedClient(bed.personas.domainA.id);
  const otherClient = await seedClient(bed.personas.domainA.id);
  const { refreshId, jti } = await seedGrant(holder.userId, clientId);
  const secondJti = await issueAccessToken(clientId, holder.userId);
  const kept = await seedGrant(holder.userId, otherClient);

  const { value, events } = await eventsDuring(() => bed.personas.domainAdminA.caller.grants.revoke({ userId: holder.userId, clientId }));
  expect(value).toEqual({ accessTokens: 2, refreshTokens: 1, consents: 1 });
  expect(await consentCount(holder.userId, clientId)).toBe(0);
  expect(await refreshRevoked(refreshId)).toBeInstanceOf(Date);
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("revoked");
  expect(await accessTokenStatus(bed.database.db, secondJti)).toBe("revoked");
  const [ledger] = await bed.database.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, jti));
  expect(ledger?.revokedReason).toBe("grant_revoked");

  expect(await consentCount(holder.userId, otherClient)).toBe(1);
  expect(await refreshRevoked(kept.refreshId)).toBeNull();
  expect(await accessTokenStatus(bed.database.db, kept.jti)).toBe("active");
  const remaining = await bed.personas.owner.caller.grants.list({ userId: holder.userId });
  expect(remaining.items.map((item) => item.clientId)).toEqual([otherClient]);

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "grant.revoked",
    actorUserId: bed.personas.domainAdminA.userId,
    targetType: "user",
    targetId: holder.userId,
    details: { clientId, accessTokensRevoked: 2, refreshTokensRevoked: 1, consentsRevoked: 1 },
  });
});

test("revokeGrant of a grant that does not exist is NOT_FOUND and records nothing, for a global admin too", async () => {
  const holder = await userIn(bed.personas.domainA.id);
  const clientId = await seedClient(bed.personas.domainA.id);
  for (const [label, caller] of [
    ["domain-admin", bed.personas.domainAdminA.caller],
    ["owner", bed.personas.owner.caller],
  ] as const) {
    const { error, events } = await eventsDuring(() => caller.grants.revoke({ userId: holder.userId, clientId }));
    expect(error, label).toMatchObject({ code: "NOT_FOUND", message: "Grant not found." });
    expect(events, label).toEqual([]);
  }
});

test("revokeGrant of a grant the caller may read but not revoke is FORBIDDEN, naming the permission", async () => {
  const tenant = await createDomain(bed.database.db);
  const holder = await userIn(tenant.id);
  const clientId = await seedClient(tenant.id);
  const { jti } = await seedGrant(holder.userId, clientId);
  const reader = await personaWith([
    { permissions: ["tokens:read"], domainId: null },
    { permissions: ["tokens:delete"], domainId: bed.personas.domainA.id },
  ]);
  const { error, events } = await eventsDuring(() => reader.caller.grants.revoke({ userId: holder.userId, clientId }));
  expect(error).toMatchObject({ code: "FORBIDDEN", message: "You need the tokens:delete permission for this grant." });
  expect(events).toEqual([]);
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("active");
});

// ---------------------------------------------------------------------------------------------
// revokeToken

test("revokeToken by jti revokes that one token only and records it", async () => {
  const holder = await userIn(bed.personas.domainA.id);
  const clientId = await seedClient(bed.personas.domainA.id);
  const { jti, refreshId } = await seedGrant(holder.userId, clientId);
  const sibling = await issueAccessToken(clientId, holder.userId);

  const { value, events } = await eventsDuring(() => bed.personas.owner.caller.grants.revokeToken({ jti }));
  expect(value).toEqual({ accessTokens: 1, refreshTokens: 0, consents: 0 });
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("revoked");
  expect(await accessTokenStatus(bed.database.db, sibling)).toBe("active");
  expect(await refreshRevoked(refreshId)).toBeNull();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "token.revoked",
    targetType: "client",
    targetId: clientId,
    domainId: bed.personas.domainA.id,
    details: { jti, userId: holder.userId },
  });

  // A second revocation of the same token changes nothing, so it records nothing.
  const again = await eventsDuring(() => bed.personas.owner.caller.grants.revokeToken({ jti }));
  expect(again.value).toEqual({ accessTokens: 0, refreshTokens: 0, consents: 0 });
  expect(again.events).toEqual([]);
});

test("revokeToken takes the token itself and reads its jti claim", async () => {
  const holder = await userIn(null);
  const clientId = await seedClient(null);
  const jti = await issueAccessToken(clientId, holder.userId);
  const token = await jwtWith({ jti, sub: holder.userId, client_id: clientId });
  expect(await bed.personas.admin.caller.grants.revokeToken({ token })).toEqual({ accessTokens: 1, refreshTokens: 0, consents: 0 });
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("revoked");
});

test("revokeToken refuses unknown, foreign and malformed tokens without recording anything", async () => {
  const foreignClient = await seedClient(bed.personas.domainB.id);
  const foreignJti = await issueAccessToken(foreignClient, (await userIn(bed.personas.domainB.id)).userId);
  const cases: [() => Promise<unknown>, string, string][] = [
    [() => bed.personas.owner.caller.grants.revokeToken({ jti: randomUUID() }), "NOT_FOUND", "Token not found."],
    [async () => bed.personas.owner.caller.grants.revokeToken({ token: await jwtWith({ jti: randomUUID() }) }), "NOT_FOUND", "Token not found."],
    [() => bed.personas.domainAdminA.caller.grants.revokeToken({ jti: foreignJti }), "NOT_FOUND", "Token not found."],
    [
      async () => bed.personas.owner.caller.grants.revokeToken({ token: await jwtWith({ sub: "no-jti" }) }),
      "BAD_REQUEST",
      "That is not a Gatehouse access token.",
    ],
    [() => bed.personas.owner.caller.grants.revokeToken({ token: "not-a-jwt" }), "BAD_REQUEST", "That is not a Gatehouse access token."],
  ];
  for (const [call, code, message] of cases) {
    const { error, events } = await eventsDuring(call);
    expect(error).toMatchObject({ code, message });
    expect(events).toEqual([]);
  }
  const both = await rejection(
    bed.personas.owner.caller.grants.revokeToken({ jti: foreignJti, token: "x" } as unknown as { jti: string }),
  );
  expect(both.code).toBe("BAD_REQUEST");
  expect(await accessTokenStatus(bed.database.db, foreignJti)).toBe("active");
});

// ---------------------------------------------------------------------------------------------
// revokeAllForClient

test("revokeAllForClient ends every user's grant to the client and its own tokens, and keeps the client", async () => {
  const clientId = await seedClient(bed.personas.domainA.id);
  const otherClient = await seedClient(bed.personas.domainA.id);
  const alice = await userIn(bed.personas.domainA.id);
  const bob = await userIn(null);
  const aliceGrant = await seedGrant(alice.userId, clientId);
  const bobGrant = await seedGrant(bob.userId, clientId);
  const machine = await issueAccessToken(clientId, null);
  const kept = await seedGrant(alice.userId, otherClient);

  const { value, events } = await eventsDuring(() => bed.personas.domainAdminA.caller.grants.revokeAllForClient({ clientId }));
  expect(value).toEqual({ accessTokens: 3, refreshTokens: 2, consents: 2 });
  for (const grant of [aliceGrant, bobGrant]) {
    expect(await accessTokenStatus(bed.database.db, grant.jti)).toBe("revoked");
    expect(await refreshRevoked(grant.refreshId)).toBeInstanceOf(Date);
  }
  expect(await accessTokenStatus(bed.database.db, machine)).toBe("revoked");
  expect(await bed.database.db.$count(oauthConsent, eq(oauthConsent.clientId, clientId))).toBe(0);
  expect((await bed.personas.owner.caller.grants.list({ clientId })).items).toEqual([]);
  const [clientRow] = await bed.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, clientId));
  expect(clientRow).toMatchObject({ disabled: false });
  expect(await accessTokenStatus(bed.database.db, kept.jti)).toBe("active");

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "client.access_revoked",
    targetType: "client",
    targetId: clientId,
    domainId: bed.personas.domainA.id,
    details: { accessTokensRevoked: 3, refreshTokensRevoked: 2, consentsRevoked: 2 },
  });

  const again = await eventsDuring(() => bed.personas.domainAdminA.caller.grants.revokeAllForClient({ clientId }));
  expect(again.value).toEqual({ accessTokens: 0, refreshTokens: 0, consents: 0 });
  expect(again.events).toEqual([]);
});

test("revokeAllForClient of a foreign, installation-wide or unknown client is NOT_FOUND for a domain-admin", async () => {
  for (const clientId of [await seedClient(bed.personas.domainB.id), await seedClient(null), randomUUID()]) {
    const { error, events } = await eventsDuring(() => bed.personas.domainAdminA.caller.grants.revokeAllForClient({ clientId }));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "Client not found." });
    expect(events).toEqual([]);
  }
});

// ---------------------------------------------------------------------------------------------
// Bans

test("a ban revokes the banned user's access tokens, refresh tokens and consents, and only theirs", async () => {
  const target = await userIn(bed.personas.domainA.id);
  const bystander = await userIn(bed.personas.domainA.id);
  const clientId = await seedClient(bed.personas.domainA.id);
  const otherClient = await seedClient(null);
  const first = await seedGrant(target.userId, clientId);
  const second = await seedGrant(target.userId, otherClient);
  const kept = await seedGrant(bystander.userId, clientId);

  const { events } = await eventsDuring(() => bed.personas.owner.caller.users.ban({ id: target.userId, reason: "compromised" }));
  for (const grant of [first, second]) {
    expect(await accessTokenStatus(bed.database.db, grant.jti)).toBe("revoked");
    expect(await refreshRevoked(grant.refreshId)).toBeInstanceOf(Date);
  }
  const [ledger] = await bed.database.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, first.jti));
  expect(ledger?.revokedReason).toBe("user_banned");
  expect(await consentCount(target.userId)).toBe(0);
  expect((await bed.personas.owner.caller.grants.list({ userId: target.userId })).items).toEqual([]);
  expect(await accessTokenStatus(bed.database.db, kept.jti)).toBe("active");
  expect(await refreshRevoked(kept.refreshId)).toBeNull();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "user.banned",
    targetId: target.userId,
    details: { accessTokensRevoked: 2, refreshTokensRevoked: 2, consentsRevoked: 2 },
  });
});

test("a domain-admin of another tenant can neither see nor revoke what domain A's users hold", async () => {
  const tenant = await createDomain(bed.database.db);
  const tenantAdmin = await createPersona(bed.deps(), DOMAIN_ADMIN_ROLE_ID, tenant.id, "tenant-admin");
  const inA = await userIn(bed.personas.domainA.id);
  const { jti } = await seedGrant(inA.userId, await seedClient(bed.personas.domainA.id));
  expect(await outcome(tenantAdmin.caller.grants.revokeToken({ jti }))).toBe("NOT_FOUND");
  expect(await outcome(tenantAdmin.caller.sessions.revokeAllForUser({ userId: inA.userId }))).toBe("NOT_FOUND");
  expect((await tenantAdmin.caller.grants.list({ userId: inA.userId })).items).toEqual([]);
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("active");
});

// ---------------------------------------------------------------------------------------------
// can flags: what the lists tell the console agrees with what the mutations then do

test("grants.list says a grant the caller may read but not revoke cannot be revoked, and grants.revoke agrees", async () => {
  const tenant = await createDomain(bed.database.db);
  const holder = await userIn(tenant.id);
  const clientId = await seedClient(tenant.id);
  await seedGrant(holder.userId, clientId);
  const inA = await userIn(bed.personas.domainA.id);
  const clientInA = await seedClient(null);
  await seedGrant(inA.userId, clientInA);
  const reader = await personaWith([
    { permissions: ["tokens:read"], domainId: null },
    { permissions: ["tokens:delete"], domainId: bed.personas.domainA.id },
  ]);

  const [tenantGrant] = (await reader.caller.grants.list({ userId: holder.userId })).items;
  const [grantInA] = (await reader.caller.grants.list({ userId: inA.userId })).items;
  // Reach through the user's domain counts: the client is installation-wide, the user belongs to A.
  expect([tenantGrant?.can, grantInA?.can]).toEqual([
    { revoke: false, openClient: false },
    { revoke: true, openClient: false },
  ]);
  expect(await outcome(reader.caller.grants.revoke({ userId: holder.userId, clientId }))).toBe("FORBIDDEN");
  expect(await outcome(reader.caller.grants.revoke({ userId: inA.userId, clientId: clientInA }))).toBe("ok");
});

