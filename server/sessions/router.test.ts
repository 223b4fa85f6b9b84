import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { z } from "zod";
import {
  ADMIN_ROLE_ID,
  DOMAIN_ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  issuedAccessToken,
  oauthClient,
  oauthConsent,
  oauthRefreshToken,
  role,
  rolePermission,
  session,
} from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import type { Permission } from "@/server/shared/permissions";
import { createClient, createClientInput } from "@/server/oauth/clients";
import { mcpResourceUrl } from "@/server/oauth/config";
import { accessTokenStatus, recordIssuedAccessToken } from "@/server/oauth/issued-tokens";
import { TEST_PASSWORD, TEST_PUBLIC_URL, signIn, signUp, uniqueEmail } from "@/server/testing/auth";
import {
  auditRows,
  createDomain,
  createPersona,
  grantRole,
  type Caller,
  type Persona,
  MATRIX_PERSONAS as PERSONAS,
  matrixCaller,
  type PersonaName,
  type Personas,
  openPersonaTestBed,
} from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { outcome, rejection, unique } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import { accountRouter } from "@/server/account/router";
import { grantsRouter } from "@/server/grants/router";
import { sessionsRouter } from "./router";

let database: TestDatabase;
let auth: Auth;
let personas: Personas;

beforeAll(async () => ({ database, auth, personas } = await openPersonaTestBed()));

afterAll(() => database.destroy());

const MCP_RESOURCE = mcpResourceUrl(TEST_PUBLIC_URL);
const DAY_MS = 24 * 60 * 60 * 1000;

/** A client written through the persistence layer, owned by `domainId` (installation-wide when null). */
async function seedClient(domainId: string | null, overrides: Partial<z.input<typeof createClientInput>> = {}) {
  const input = createClientInput.parse({
    name: unique("Client"),
    type: "confidential",
    redirectUris: ["https://app.example/callback"],
    scopes: ["openid", "offline_access", "mcp:read"],
    domainId,
    ...overrides,
  });
  const { client } = await createClient(database.db, input, { createdBy: null, mcpResource: MCP_RESOURCE });
  return client.clientId;
}

/** A signed-up account (with one browser session) that is a member of `domainId`. */
async function userIn(domainId: string | null, prefix = "holder") {
  const created = await signUp(auth, uniqueEmail(prefix));
  if (domainId) await grantRole(database.db, created.userId, MEMBER_ROLE_ID, domainId);
  return created;
}

/** A ledger row as the token endpoint writes it; a negative lifetime makes an expired one. */
async function issueAccessToken(clientId: string, userId: string | null, lifetimeSeconds = 900, scope = "openid mcp:read") {
  const jti = randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  await recordIssuedAccessToken(database.db, {
    claims: { jti, client_id: clientId, sub: userId ?? clientId, scope, aud: MCP_RESOURCE, iat, exp: iat + lifetimeSeconds },
    userId,
    grantType: userId ? "authorization_code" : "client_credentials",
    authorizationCodeId: null,
  });
  return jti;
}

async function issueRefreshToken(clientId: string, userId: string, options: { revoked?: boolean; scopes?: string[] } = {}) {
  const id = randomUUID();
  await database.db.insert(oauthRefreshToken).values({
    id,
    token: `hashed-${randomUUID()}`,
    clientId,
    userId,
    expiresAt: new Date(Date.now() + 30 * DAY_MS),
    createdAt: new Date(),
    revoked: options.revoked ? new Date() : null,
    scopes: options.scopes ?? ["openid", "offline_access"],
  });
  return id;
}

async function consent(clientId: string, userId: string, scopes: string[] = ["openid", "offline_access"]) {
  const now = new Date();
  await database.db.insert(oauthConsent).values({ id: randomUUID(), clientId, userId, scopes, createdAt: now, updatedAt: now });
}

/** What a finished authorization-code flow leaves behind: a consent, a refresh token and an access token. */
async function seedGrant(userId: string, clientId: string) {
  await consent(clientId, userId);
  const refreshId = await issueRefreshToken(clientId, userId);
  const jti = await issueAccessToken(clientId, userId);
  return { refreshId, jti };
}

async function refreshRevoked(id: string) {
  const [row] = await database.db.select({ revoked: oauthRefreshToken.revoked }).from(oauthRefreshToken).where(eq(oauthRefreshToken.id, id));
  return row?.revoked ?? null;
}

async function consentCount(userId: string, clientId?: string) {
  const rows = await database.db.select().from(oauthConsent).where(eq(oauthConsent.userId, userId));
  return rows.filter((row) => clientId === undefined || row.clientId === clientId).length;
}

async function sessionIdOf(cookie: string): Promise<string> {
  const current = await auth.api.getSession({ headers: new Headers({ cookie }) });
  if (!current) throw new Error("the cookie has no session");
  return current.session.id;
}

async function signedIn(cookie: string): Promise<boolean> {
  return (await auth.api.getSession({ headers: new Headers({ cookie }) })) !== null;
}

/** An access token as a resource server receives it; only its jti claim matters to revokeToken. */
function jwtWith(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(randomUUID()));
}

/** The audit rows a call wrote, whatever it returned or threw. */
async function eventsDuring(call: () => Promise<unknown>) {
  const before = new Set((await auditRows(database.db)).map((row) => row.id));
  const result = await call().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  const events = (await auditRows(database.db)).filter((row) => !before.has(row.id));
  return { ...result, events };
}

async function personaWith(grants: { permissions: Permission[]; domainId: string | null }[]): Promise<Persona> {
  const persona = await createPersona({ db: database.db, auth }, null, null, "custom");
  for (const { permissions, domainId } of grants) {
    const roleId = `role_${randomUUID()}`;
    await database.db.insert(role).values({ id: roleId, name: unique("Custom") });
    await database.db.insert(rolePermission).values(permissions.map((permission) => ({ roleId, permission })));
    await grantRole(database.db, persona.userId, roleId, domainId);
  }
  return persona;
}

function actorId(name: PersonaName): string | null {
  if (name === "anonymous") return null;
  if (name === "domainAdminOnA" || name === "domainAdminOnB") return personas.domainAdminA.userId;
  return personas[name].userId;
}

type Expected = "ok" | "FORBIDDEN" | "NOT_FOUND" | "UNAUTHORIZED";

interface Prepared {
  call: (caller: Caller) => Promise<unknown>;
  /** What an allowed mutation's one audit row must say. */
  event?: { action: string; targetType: string; targetId: string; domainId?: string | null };
}

/** Runs a matrix cell: the outcome, the permission a refusal names, and exactly one audit row for an allowed mutation. */
async function checkCell(persona: PersonaName, prepared: Prepared, expected: Expected, permission?: Permission) {
  const { error, events } = await eventsDuring(() => prepared.call(matrixCaller(personas, persona)));
  expect(error === undefined ? "ok" : await outcome(Promise.reject(error))).toBe(expected);
  if (expected === "FORBIDDEN" && permission) expect((error as Error).message).toContain(permission);
  if (prepared.event && expected === "ok") {
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorUserId: actorId(persona), actorVia: "web", ...prepared.event });
  } else {
    expect(events).toEqual([]);
  }
}

// ---------------------------------------------------------------------------------------------
// Allow/deny matrices: grants and sessions

type GrantsProcedure = keyof typeof grantsRouter._def.procedures;
type SessionsProcedure = keyof typeof sessionsRouter._def.procedures;

// Lists are scoped rather than refused, so the domain-admin looking at B gets an empty page.
const LIST: Record<PersonaName, Expected> = {
  owner: "ok",
  admin: "ok",
  domainAdminOnA: "ok",
  domainAdminOnB: "ok",
  auditor: "ok",
  member: "FORBIDDEN",
  anonymous: "UNAUTHORIZED",
};

const REVOKE: Record<PersonaName, Expected> = { ...LIST, domainAdminOnB: "NOT_FOUND", auditor: "FORBIDDEN" };

interface MatrixRow {
  permission: Permission;
  expected: Record<PersonaName, Expected>;
  prepare: (domainId: string) => Promise<Prepared>;
}

const GRANTS_MATRIX: Record<GrantsProcedure, MatrixRow> = {
  list: {
    permission: "tokens:read",
    expected: LIST,
    prepare: async (domainId) => ({ call: (caller) => caller.grants.list({ domainId }) }),
  },
  revoke: {
    permission: "tokens:delete",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { userId } = await userIn(domainId);
      const clientId = await seedClient(domainId);
      await seedGrant(userId, clientId);
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
      const { userId } = await userIn(domainId);
      const clientId = await seedClient(domainId);
      await seedGrant(userId, clientId);
      return {
        call: (caller) => caller.grants.revokeAllForClient({ clientId }),
        event: { action: "client.access_revoked", targetType: "client", targetId: clientId, domainId },
      };
    },
  },
};

const SESSIONS_MATRIX: Record<SessionsProcedure, MatrixRow> = {
  list: {
    permission: "tokens:read",
    expected: LIST,
    prepare: async (domainId) => {
      const { userId } = await userIn(domainId);
      return { call: (caller) => caller.sessions.list({ userId }) };
    },
  },
  revoke: {
    permission: "tokens:delete",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { userId, cookie } = await userIn(domainId);
      const sessionId = await sessionIdOf(cookie);
      return {
        call: (caller) => caller.sessions.revoke({ sessionId }),
        event: { action: "session.revoked", targetType: "user", targetId: userId },
      };
    },
  },
  revokeAllForUser: {
    permission: "tokens:admin",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { userId } = await userIn(domainId);
      await seedGrant(userId, await seedClient(domainId));
      return {
        call: (caller) => caller.sessions.revokeAllForUser({ userId }),
        event: { action: "user.access_revoked", targetType: "user", targetId: userId },
      };
    },
  },
};

const MATRICES = { grants: GRANTS_MATRIX, sessions: SESSIONS_MATRIX } as Record<"grants" | "sessions", Record<string, MatrixRow>>;
const ROUTERS = { grants: grantsRouter, sessions: sessionsRouter };

const MATRIX_CASES = (["grants", "sessions"] as const).flatMap((routerName) =>
  Object.keys(MATRICES[routerName]).flatMap((procedure) =>
    PERSONAS.map((persona) => [`${routerName}.${procedure}`, persona, MATRICES[routerName][procedure]!.expected[persona]] as const),
  ),
);

test.each(MATRIX_CASES)("%s as %s is %s", async (path, persona, expected) => {
  const [routerName, procedure] = path.split(".") as ["grants" | "sessions", string];
  const row = MATRICES[routerName][procedure]!;
  const domainId = persona === "domainAdminOnB" ? personas.domainB.id : personas.domainA.id;
  await checkCell(persona, await row.prepare(domainId), expected, row.permission);
});

test("every grants and sessions procedure is in the matrix and describes itself", () => {
  for (const routerName of ["grants", "sessions"] as const) {
    const procedures = ROUTERS[routerName]._def.procedures;
    expect(Object.keys(procedures).sort(), routerName).toEqual(Object.keys(MATRICES[routerName]).sort());
    for (const [name, procedure] of Object.entries(procedures)) {
      const meta = (procedure as { _def: { meta?: { description?: string; access?: unknown } } })._def.meta;
      expect(meta?.description, name).toMatch(/\S.*\.$/);
      expect(meta?.access, name).toEqual({ kind: "permissions", permissions: [MATRICES[routerName][name]!.permission] });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Allow/deny matrix: account (personal scope, no role needed)

type AccountProcedure = keyof typeof accountRouter._def.procedures;

const PERSONAL: Record<PersonaName, Expected> = {
  owner: "ok",
  admin: "ok",
  domainAdminOnA: "ok",
  domainAdminOnB: "ok",
  auditor: "ok",
  member: "ok",
  anonymous: "UNAUTHORIZED",
};

function personaOf(name: PersonaName): Persona | null {
  if (name === "anonymous") return null;
  if (name === "domainAdminOnA" || name === "domainAdminOnB") return personas.domainAdminA;
  return personas[name];
}

const ACCOUNT_MATRIX: Record<AccountProcedure, (persona: Persona | null) => Promise<Prepared>> = {
  sessions: async () => ({ call: (caller) => caller.account.sessions() }),
  twoFactor: async () => ({ call: (caller) => caller.account.twoFactor() }),
  passkeys: async () => ({ call: (caller) => caller.account.passkeys() }),
  mfaRequirement: async () => ({ call: (caller) => caller.account.mfaRequirement() }),
  reauthenticate: async (persona) => ({
    call: (caller) => caller.account.reauthenticate({ method: "password", password: TEST_PASSWORD }),
    event: persona ? { action: "auth.step_up", targetType: "user", targetId: persona.userId } : undefined,
  }),
  revokeSession: async (persona) => {
    if (!persona) return { call: (caller) => caller.account.revokeSession({ sessionId: randomUUID() }) };
    const { cookie } = await signIn(auth, persona.email);
    const sessionId = await sessionIdOf(cookie);
    return {
      call: (caller) => caller.account.revokeSession({ sessionId }),
      event: { action: "session.revoked", targetType: "user", targetId: persona.userId },
    };
  },
  revokeOtherSessions: async (persona) => {
    if (!persona) return { call: (caller) => caller.account.revokeOtherSessions() };
    await signIn(auth, persona.email);
    return {
      call: (caller) => caller.account.revokeOtherSessions(),
      event: { action: "session.revoked_others", targetType: "user", targetId: persona.userId },
    };
  },
  connectedApps: async () => ({ call: (caller) => caller.account.connectedApps() }),
  revokeApp: async (persona) => {
    const clientId = await seedClient(personas.domainA.id);
    if (!persona) return { call: (caller) => caller.account.revokeApp({ clientId }) };
    await seedGrant(persona.userId, clientId);
    return {
      call: (caller) => caller.account.revokeApp({ clientId }),
      event: { action: "grant.revoked", targetType: "user", targetId: persona.userId },
    };
  },
};

const ACCOUNT_CASES = (Object.keys(ACCOUNT_MATRIX) as AccountProcedure[]).flatMap((procedure) =>
  PERSONAS.map((persona) => [procedure, persona, PERSONAL[persona]] as const),
);

test.each(ACCOUNT_CASES)("account.%s as %s is %s", async (procedure, persona, expected) => {
  await checkCell(persona, await ACCOUNT_MATRIX[procedure](personaOf(persona)), expected);
});

test("every account procedure is in the matrix and is personal", () => {
  expect(Object.keys(accountRouter._def.procedures).sort()).toEqual(Object.keys(ACCOUNT_MATRIX).sort());
  for (const [name, procedure] of Object.entries(accountRouter._def.procedures)) {
    const meta = (procedure as { _def: { meta?: { description?: string; access?: unknown } } })._def.meta;
    expect(meta?.description, name).toMatch(/\S.*\.$/);
    expect(meta?.access, name).toEqual({ kind: "personal" });
  }
});

// ---------------------------------------------------------------------------------------------
// listGrants

test("listGrants shows one row per user and client with its scopes, consent and live counts", async () => {
  const holder = await userIn(personas.domainA.id);
  const consented = await seedClient(personas.domainA.id, { name: unique("Consented") });
  const tokenOnly = await seedClient(personas.domainA.id);
  const lapsed = await seedClient(personas.domainA.id);
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

  const { items, nextCursor } = await personas.owner.caller.grants.list({ userId: holder.userId });
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
    domainId: personas.domainA.id,
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
  const tenant = await createDomain(database.db);
  const first = await userIn(null);
  const second = await userIn(null);
  const tenantClient = await seedClient(tenant.id);
  const globalClient = await seedClient(null);
  await seedGrant(first.userId, tenantClient);
  await seedGrant(second.userId, tenantClient);
  await seedGrant(first.userId, globalClient);
  const pairs = async (input: Parameters<Caller["grants"]["list"]>[0]) =>
    (await personas.auditor.caller.grants.list(input)).items.map((item) => `${item.userId}/${item.clientId}`).sort();

  expect(await pairs({ clientId: tenantClient })).toEqual([`${first.userId}/${tenantClient}`, `${second.userId}/${tenantClient}`].sort());
  expect(await pairs({ userId: first.userId })).toEqual([`${first.userId}/${tenantClient}`, `${first.userId}/${globalClient}`].sort());
  expect(await pairs({ domainId: tenant.id })).toEqual([`${first.userId}/${tenantClient}`, `${second.userId}/${tenantClient}`].sort());
  expect(await pairs({ userId: second.userId, clientId: globalClient })).toEqual([]);
});

test("a domain-admin sees grants to its domain's clients and grants held by its members, and no others", async () => {
  const insider = await userIn(personas.domainA.id);
  const outsider = await userIn(personas.domainB.id);
  const clientInA = await seedClient(personas.domainA.id);
  const clientInB = await seedClient(personas.domainB.id);
  const globalClient = await seedClient(null);
  await seedGrant(outsider.userId, clientInA);
  await seedGrant(insider.userId, clientInB);
  await seedGrant(insider.userId, globalClient);
  await seedGrant(outsider.userId, clientInB);
  await seedGrant(outsider.userId, globalClient);

  const visible = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await personas.domainAdminA.caller.grants.list({ limit: 100, cursor });
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
  let page = await personas.owner.caller.grants.list({ userId: holder.userId, limit: 2 });
  seen.push(...page.items.map((item) => item.clientId));
  while (page.nextCursor) {
    page = await personas.owner.caller.grants.list({ userId: holder.userId, limit: 2, cursor: page.nextCursor });
    seen.push(...page.items.map((item) => item.clientId));
  }
  expect(seen).toHaveLength(clients.length);
  expect([...seen].sort()).toEqual([...clients].sort());
});

// ---------------------------------------------------------------------------------------------
// revokeGrant

test("revokeGrant forgets the consent and revokes the grant's refresh and access tokens, with one event", async () => {
  const holder = await userIn(personas.domainA.id);
  const clientId = await seedClient(personas.domainA.id);
  const otherClient = await seedClient(personas.domainA.id);
  const { refreshId, jti } = await seedGrant(holder.userId, clientId);
  const secondJti = await issueAccessToken(clientId, holder.userId);
  const kept = await seedGrant(holder.userId, otherClient);

  const { value, events } = await eventsDuring(() => personas.domainAdminA.caller.grants.revoke({ userId: holder.userId, clientId }));
  expect(value).toEqual({ accessTokens: 2, refreshTokens: 1, consents: 1 });
  expect(await consentCount(holder.userId, clientId)).toBe(0);
  expect(await refreshRevoked(refreshId)).toBeInstanceOf(Date);
  expect(await accessTokenStatus(database.db, jti)).toBe("revoked");
  expect(await accessTokenStatus(database.db, secondJti)).toBe("revoked");
  const [ledger] = await database.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, jti));
  expect(ledger?.revokedReason).toBe("grant_revoked");

  expect(await consentCount(holder.userId, otherClient)).toBe(1);
  expect(await refreshRevoked(kept.refreshId)).toBeNull();
  expect(await accessTokenStatus(database.db, kept.jti)).toBe("active");
  const remaining = await personas.owner.caller.grants.list({ userId: holder.userId });
  expect(remaining.items.map((item) => item.clientId)).toEqual([otherClient]);

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "grant.revoked",
    actorUserId: personas.domainAdminA.userId,
    targetType: "user",
    targetId: holder.userId,
    details: { clientId, accessTokensRevoked: 2, refreshTokensRevoked: 1, consentsRevoked: 1 },
  });
});

test("revokeGrant of a grant that does not exist is NOT_FOUND and records nothing, for a global admin too", async () => {
  const holder = await userIn(personas.domainA.id);
  const clientId = await seedClient(personas.domainA.id);
  for (const [label, caller] of [
    ["domain-admin", personas.domainAdminA.caller],
    ["owner", personas.owner.caller],
  ] as const) {
    const { error, events } = await eventsDuring(() => caller.grants.revoke({ userId: holder.userId, clientId }));
    expect(error, label).toMatchObject({ code: "NOT_FOUND", message: "Grant not found." });
    expect(events, label).toEqual([]);
  }
});

test("revokeGrant of a grant the caller may read but not revoke is FORBIDDEN, naming the permission", async () => {
  const tenant = await createDomain(database.db);
  const holder = await userIn(tenant.id);
  const clientId = await seedClient(tenant.id);
  const { jti } = await seedGrant(holder.userId, clientId);
  const reader = await personaWith([
    { permissions: ["tokens:read"], domainId: null },
    { permissions: ["tokens:delete"], domainId: personas.domainA.id },
  ]);
  const { error, events } = await eventsDuring(() => reader.caller.grants.revoke({ userId: holder.userId, clientId }));
  expect(error).toMatchObject({ code: "FORBIDDEN", message: "You need the tokens:delete permission for this grant." });
  expect(events).toEqual([]);
  expect(await accessTokenStatus(database.db, jti)).toBe("active");
});

// ---------------------------------------------------------------------------------------------
// revokeToken

test("revokeToken by jti revokes that one token only and records it", async () => {
  const holder = await userIn(personas.domainA.id);
  const clientId = await seedClient(personas.domainA.id);
  const { jti, refreshId } = await seedGrant(holder.userId, clientId);
  const sibling = await issueAccessToken(clientId, holder.userId);

  const { value, events } = await eventsDuring(() => personas.owner.caller.grants.revokeToken({ jti }));
  expect(value).toEqual({ accessTokens: 1, refreshTokens: 0, consents: 0 });
  expect(await accessTokenStatus(database.db, jti)).toBe("revoked");
  expect(await accessTokenStatus(database.db, sibling)).toBe("active");
  expect(await refreshRevoked(refreshId)).toBeNull();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "token.revoked",
    targetType: "client",
    targetId: clientId,
    domainId: personas.domainA.id,
    details: { jti, userId: holder.userId },
  });

  // A second revocation of the same token changes nothing, so it records nothing.
  const again = await eventsDuring(() => personas.owner.caller.grants.revokeToken({ jti }));
  expect(again.value).toEqual({ accessTokens: 0, refreshTokens: 0, consents: 0 });
  expect(again.events).toEqual([]);
});

test("revokeToken takes the token itself and reads its jti claim", async () => {
  const holder = await userIn(null);
  const clientId = await seedClient(null);
  const jti = await issueAccessToken(clientId, holder.userId);
  const token = await jwtWith({ jti, sub: holder.userId, client_id: clientId });
  expect(await personas.admin.caller.grants.revokeToken({ token })).toEqual({ accessTokens: 1, refreshTokens: 0, consents: 0 });
  expect(await accessTokenStatus(database.db, jti)).toBe("revoked");
});

test("revokeToken refuses unknown, foreign and malformed tokens without recording anything", async () => {
  const foreignClient = await seedClient(personas.domainB.id);
  const foreignJti = await issueAccessToken(foreignClient, (await userIn(personas.domainB.id)).userId);
  const cases: [() => Promise<unknown>, string, string][] = [
    [() => personas.owner.caller.grants.revokeToken({ jti: randomUUID() }), "NOT_FOUND", "Token not found."],
    [async () => personas.owner.caller.grants.revokeToken({ token: await jwtWith({ jti: randomUUID() }) }), "NOT_FOUND", "Token not found."],
    [() => personas.domainAdminA.caller.grants.revokeToken({ jti: foreignJti }), "NOT_FOUND", "Token not found."],
    [
      async () => personas.owner.caller.grants.revokeToken({ token: await jwtWith({ sub: "no-jti" }) }),
      "BAD_REQUEST",
      "That is not a Gatehouse access token.",
    ],
    [() => personas.owner.caller.grants.revokeToken({ token: "not-a-jwt" }), "BAD_REQUEST", "That is not a Gatehouse access token."],
  ];
  for (const [call, code, message] of cases) {
    const { error, events } = await eventsDuring(call);
    expect(error).toMatchObject({ code, message });
    expect(events).toEqual([]);
  }
  const both = await rejection(
    personas.owner.caller.grants.revokeToken({ jti: foreignJti, token: "x" } as unknown as { jti: string }),
  );
  expect(both.code).toBe("BAD_REQUEST");
  expect(await accessTokenStatus(database.db, foreignJti)).toBe("active");
});

// ---------------------------------------------------------------------------------------------
// revokeAllForUser, revokeAllForClient

test("revokeAllForUser ends every grant and every browser session of the user, and nobody else's", async () => {
  const target = await userIn(personas.domainA.id);
  const second = await signIn(auth, target.email);
  const bystander = await userIn(personas.domainA.id);
  const first = await seedClient(personas.domainA.id);
  const other = await seedClient(null);
  const grantOne = await seedGrant(target.userId, first);
  const grantTwo = await seedGrant(target.userId, other);
  const kept = await seedGrant(bystander.userId, first);
  expect(await signedIn(target.cookie)).toBe(true);

  const { value, events } = await eventsDuring(() => personas.owner.caller.sessions.revokeAllForUser({ userId: target.userId }));
  expect(value).toEqual({ accessTokens: 2, refreshTokens: 2, consents: 2, sessions: 2 });
  expect(await signedIn(target.cookie)).toBe(false);
  expect(await signedIn(second.cookie)).toBe(false);
  expect(await database.db.$count(session, eq(session.userId, target.userId))).toBe(0);
  for (const grant of [grantOne, grantTwo]) {
    expect(await accessTokenStatus(database.db, grant.jti)).toBe("revoked");
    expect(await refreshRevoked(grant.refreshId)).toBeInstanceOf(Date);
  }
  expect(await consentCount(target.userId)).toBe(0);
  expect((await personas.owner.caller.grants.list({ userId: target.userId })).items).toEqual([]);

  expect(await signedIn(bystander.cookie)).toBe(true);
  expect(await accessTokenStatus(database.db, kept.jti)).toBe("active");
  expect(await consentCount(bystander.userId)).toBe(1);

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "user.access_revoked",
    targetType: "user",
    targetId: target.userId,
    details: { email: target.email, accessTokensRevoked: 2, refreshTokensRevoked: 2, consentsRevoked: 2, sessionsRevoked: 2 },
  });
});

test("revokeAllForUser of a user outside the caller's domains or unknown is NOT_FOUND and ends nothing", async () => {
  const outsider = await userIn(personas.domainB.id);
  const { jti } = await seedGrant(outsider.userId, await seedClient(personas.domainB.id));
  for (const userId of [outsider.userId, randomUUID()]) {
    const { error, events } = await eventsDuring(() => personas.domainAdminA.caller.sessions.revokeAllForUser({ userId }));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "User not found." });
    expect(events).toEqual([]);
  }
  expect(await signedIn(outsider.cookie)).toBe(true);
  expect(await accessTokenStatus(database.db, jti)).toBe("active");
});

test("revokeAllForUser needs tokens:admin over the user, not only tokens:read", async () => {
  const tenant = await createDomain(database.db);
  const target = await userIn(tenant.id);
  const caller = await personaWith([
    { permissions: ["tokens:read"], domainId: null },
    { permissions: ["tokens:admin"], domainId: personas.domainA.id },
  ]);
  const { error, events } = await eventsDuring(() => caller.caller.sessions.revokeAllForUser({ userId: target.userId }));
  expect(error).toMatchObject({ code: "FORBIDDEN", message: `${target.email} also belongs outside your domains; ask a global administrator.` });
  expect(events).toEqual([]);
  expect(await signedIn(target.cookie)).toBe(true);
});

test("a domain-admin cannot end the access of a member who also holds a global role with permissions", async () => {
  const stronger = await userIn(personas.domainA.id, "stronger");
  await grantRole(database.db, stronger.userId, ADMIN_ROLE_ID, null);
  const { jti } = await seedGrant(stronger.userId, await seedClient(null));
  const sessionId = await sessionIdOf(stronger.cookie);
  // Like a ban, ending every session and grant acts on the whole account, which reaches beyond domain A.
  for (const call of [
    () => personas.domainAdminA.caller.sessions.revokeAllForUser({ userId: stronger.userId }),
    () => personas.domainAdminA.caller.sessions.revoke({ sessionId }),
  ]) {
    const { error, events } = await eventsDuring(call);
    expect(error).toMatchObject({ code: "FORBIDDEN" });
    expect(events).toEqual([]);
  }
  expect(await outcome(personas.domainAdminA.caller.users.ban({ id: stronger.userId }))).toBe("FORBIDDEN");
  expect(await signedIn(stronger.cookie)).toBe(true);
  expect(await accessTokenStatus(database.db, jti)).toBe("active");
});

test("revokeAllForClient ends every user's grant to the client and its own tokens, and keeps the client", async () => {
  const clientId = await seedClient(personas.domainA.id);
  const otherClient = await seedClient(personas.domainA.id);
  const alice = await userIn(personas.domainA.id);
  const bob = await userIn(null);
  const aliceGrant = await seedGrant(alice.userId, clientId);
  const bobGrant = await seedGrant(bob.userId, clientId);
  const machine = await issueAccessToken(clientId, null);
  const kept = await seedGrant(alice.userId, otherClient);

  const { value, events } = await eventsDuring(() => personas.domainAdminA.caller.grants.revokeAllForClient({ clientId }));
  expect(value).toEqual({ accessTokens: 3, refreshTokens: 2, consents: 2 });
  for (const grant of [aliceGrant, bobGrant]) {
    expect(await accessTokenStatus(database.db, grant.jti)).toBe("revoked");
    expect(await refreshRevoked(grant.refreshId)).toBeInstanceOf(Date);
  }
  expect(await accessTokenStatus(database.db, machine)).toBe("revoked");
  expect(await database.db.$count(oauthConsent, eq(oauthConsent.clientId, clientId))).toBe(0);
  expect((await personas.owner.caller.grants.list({ clientId })).items).toEqual([]);
  const [clientRow] = await database.db.select().from(oauthClient).where(eq(oauthClient.clientId, clientId));
  expect(clientRow).toMatchObject({ disabled: false });
  expect(await accessTokenStatus(database.db, kept.jti)).toBe("active");

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "client.access_revoked",
    targetType: "client",
    targetId: clientId,
    domainId: personas.domainA.id,
    details: { accessTokensRevoked: 3, refreshTokensRevoked: 2, consentsRevoked: 2 },
  });

  const again = await eventsDuring(() => personas.domainAdminA.caller.grants.revokeAllForClient({ clientId }));
  expect(again.value).toEqual({ accessTokens: 0, refreshTokens: 0, consents: 0 });
  expect(again.events).toEqual([]);
});

test("revokeAllForClient of a foreign, installation-wide or unknown client is NOT_FOUND for a domain-admin", async () => {
  for (const clientId of [await seedClient(personas.domainB.id), await seedClient(null), randomUUID()]) {
    const { error, events } = await eventsDuring(() => personas.domainAdminA.caller.grants.revokeAllForClient({ clientId }));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "Client not found." });
    expect(events).toEqual([]);
  }
});

// ---------------------------------------------------------------------------------------------
// listSessions, revokeSession

test("listSessions shows unexpired sessions of the users in scope, marking the caller's own", async () => {
  const insider = await userIn(personas.domainA.id);
  const again = await signIn(auth, insider.email);
  const outsider = await userIn(personas.domainB.id);

  const mine = await personas.domainAdminA.caller.sessions.list({ userId: insider.userId });
  expect(mine.items.map((item) => item.id).sort()).toEqual([await sessionIdOf(insider.cookie), await sessionIdOf(again.cookie)].sort());
  expect(mine.items[0]).toMatchObject({ userId: insider.userId, userEmail: insider.email, current: false, device: expect.any(String) });
  expect((await personas.domainAdminA.caller.sessions.list({ userId: outsider.userId })).items).toEqual([]);
  expect((await personas.auditor.caller.sessions.list({ userId: outsider.userId })).items).toHaveLength(1);

  const own = await personas.admin.caller.sessions.list({ userId: personas.admin.userId });
  const currentId = await sessionIdOf(personas.admin.cookie);
  expect(own.items.filter((item) => item.current).map((item) => item.id)).toEqual([currentId]);
});

test("listSessions leaves out expired sessions", async () => {
  const holder = await userIn(null);
  const stale = await signIn(auth, holder.email);
  await database.db.update(session).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(session.id, await sessionIdOf(stale.cookie)));
  const listed = await personas.owner.caller.sessions.list({ userId: holder.userId });
  expect(listed.items.map((item) => item.id)).toEqual([await sessionIdOf(holder.cookie)]);
});

test("revokeSession signs that browser out at once and leaves the user's other sessions", async () => {
  const holder = await userIn(personas.domainA.id);
  const other = await signIn(auth, holder.email);
  const sessionId = await sessionIdOf(holder.cookie);

  const { value, events } = await eventsDuring(() => personas.domainAdminA.caller.sessions.revoke({ sessionId }));
  expect(value).toEqual({ sessionId });
  expect(await signedIn(holder.cookie)).toBe(false);
  expect(await auth.api.getSession({ headers: new Headers({ cookie: holder.cookie }) })).toBeNull();
  expect(await signedIn(other.cookie)).toBe(true);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ action: "session.revoked", targetId: holder.userId, details: { sessionId, email: holder.email } });

  expect(await outcome(personas.domainAdminA.caller.sessions.revoke({ sessionId }))).toBe("NOT_FOUND");
});

test("revokeSession of a session outside the caller's domains looks like an unknown one", async () => {
  const outsider = await userIn(personas.domainB.id);
  const foreign = await rejection(personas.domainAdminA.caller.sessions.revoke({ sessionId: await sessionIdOf(outsider.cookie) }));
  const missing = await rejection(personas.domainAdminA.caller.sessions.revoke({ sessionId: randomUUID() }));
  expect([foreign.code, foreign.message]).toEqual(["NOT_FOUND", "Session not found."]);
  expect([missing.code, missing.message]).toEqual([foreign.code, foreign.message]);
  expect(await signedIn(outsider.cookie)).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// account

test("account.sessions lists only the caller's own sessions, with the current one marked", async () => {
  const me = await userIn(null, "me");
  const laptop = await signIn(auth, me.email);
  await userIn(null, "someone-else");
  const caller = await callerAs({ db: database.db, auth }, laptop.cookie);

  const sessions = await caller.account.sessions();
  expect(sessions.map((item) => item.id).sort()).toEqual([await sessionIdOf(me.cookie), await sessionIdOf(laptop.cookie)].sort());
  expect(sessions.every((item) => item.userId === me.userId)).toBe(true);
  expect(sessions.filter((item) => item.current).map((item) => item.id)).toEqual([await sessionIdOf(laptop.cookie)]);
});

test("account.revokeSession ends one of the caller's sessions, and someone else's is not found", async () => {
  const me = await userIn(null, "me");
  const phone = await signIn(auth, me.email);
  const stranger = await userIn(null, "stranger");
  const caller = await callerAs({ db: database.db, auth }, me.cookie);

  const strangerSessionId = await sessionIdOf(stranger.cookie);
  const refused = await eventsDuring(() => caller.account.revokeSession({ sessionId: strangerSessionId }));
  expect(refused.error).toMatchObject({ code: "NOT_FOUND", message: "Session not found." });
  expect(refused.events).toEqual([]);
  expect(await signedIn(stranger.cookie)).toBe(true);

  const phoneId = await sessionIdOf(phone.cookie);
  const { value, events } = await eventsDuring(() => caller.account.revokeSession({ sessionId: phoneId }));
  expect(value).toEqual({ sessionId: phoneId });
  expect(await signedIn(phone.cookie)).toBe(false);
  expect(await signedIn(me.cookie)).toBe(true);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "session.revoked",
    actorUserId: me.userId,
    targetId: me.userId,
    details: { sessionId: phoneId, own: true },
  });
});

test("account.revokeOtherSessions signs out everywhere else and keeps the current session", async () => {
  const me = await userIn(null, "me");
  const tablet = await signIn(auth, me.email);
  const desk = await signIn(auth, me.email);
  const bystander = await userIn(null, "bystander");
  const caller = await callerAs({ db: database.db, auth }, desk.cookie);

  const { value, events } = await eventsDuring(() => caller.account.revokeOtherSessions());
  expect(value).toEqual({ sessions: 2 });
  expect(await signedIn(desk.cookie)).toBe(true);
  expect(await signedIn(me.cookie)).toBe(false);
  expect(await signedIn(tablet.cookie)).toBe(false);
  expect(await signedIn(bystander.cookie)).toBe(true);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ action: "session.revoked_others", targetId: me.userId, details: { sessions: 2 } });

  const again = await eventsDuring(() => caller.account.revokeOtherSessions());
  expect(again.value).toEqual({ sessions: 0 });
  expect(again.events).toEqual([]);
});

test("account.connectedApps lists the caller's own grants only", async () => {
  const me = await userIn(null, "me");
  const other = await userIn(null, "other");
  const mine = await seedClient(null, { name: unique("Mine"), logoUri: "https://app.example/logo.png" });
  const theirs = await seedClient(null);
  await seedGrant(me.userId, mine);
  await issueAccessToken(mine, me.userId);
  await seedGrant(other.userId, theirs);
  const caller = await callerAs({ db: database.db, auth }, me.cookie);

  expect(await caller.account.connectedApps()).toEqual([
    {
      clientId: mine,
      clientName: expect.stringMatching(/^Mine-/),
      logoUri: "https://app.example/logo.png",
      scopes: ["openid", "offline_access"],
      createdAt: expect.any(Date),
      lastUsedAt: expect.any(Date),
      liveAccessTokens: 2,
      can: { revoke: true },
    },
  ]);
});

test("account.revokeApp ends the caller's grant to the app, and an app not connected is not found", async () => {
  const me = await userIn(null, "me");
  const other = await userIn(null, "other");
  const app = await seedClient(null);
  const othersApp = await seedClient(null);
  const mine = await seedGrant(me.userId, app);
  const theirs = await seedGrant(other.userId, app);
  const notMine = await seedGrant(other.userId, othersApp);
  const caller = await callerAs({ db: database.db, auth }, me.cookie);

  for (const clientId of [othersApp, randomUUID()]) {
    const { error, events } = await eventsDuring(() => caller.account.revokeApp({ clientId }));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "That application is not connected to your account." });
    expect(events).toEqual([]);
  }
  expect(await accessTokenStatus(database.db, notMine.jti)).toBe("active");

  const { value, events } = await eventsDuring(() => caller.account.revokeApp({ clientId: app }));
  expect(value).toEqual({ accessTokens: 1, refreshTokens: 1, consents: 1 });
  expect(await accessTokenStatus(database.db, mine.jti)).toBe("revoked");
  expect(await refreshRevoked(mine.refreshId)).toBeInstanceOf(Date);
  expect(await consentCount(me.userId, app)).toBe(0);
  expect(await caller.account.connectedApps()).toEqual([]);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "grant.revoked",
    actorUserId: me.userId,
    targetId: me.userId,
    details: { clientId: app, accessTokensRevoked: 1, refreshTokensRevoked: 1, consentsRevoked: 1, own: true },
  });

  // The same app stays connected for everyone else.
  expect(await accessTokenStatus(database.db, theirs.jti)).toBe("active");
  expect(await consentCount(other.userId, app)).toBe(1);
  expect(await outcome(caller.account.revokeApp({ clientId: app }))).toBe("NOT_FOUND");
});

// ---------------------------------------------------------------------------------------------
// Bans

test("a ban revokes the banned user's access tokens, refresh tokens and consents, and only theirs", async () => {
  const target = await userIn(personas.domainA.id);
  const bystander = await userIn(personas.domainA.id);
  const clientId = await seedClient(personas.domainA.id);
  const otherClient = await seedClient(null);
  const first = await seedGrant(target.userId, clientId);
  const second = await seedGrant(target.userId, otherClient);
  const kept = await seedGrant(bystander.userId, clientId);

  const { events } = await eventsDuring(() => personas.owner.caller.users.ban({ id: target.userId, reason: "compromised" }));
  for (const grant of [first, second]) {
    expect(await accessTokenStatus(database.db, grant.jti)).toBe("revoked");
    expect(await refreshRevoked(grant.refreshId)).toBeInstanceOf(Date);
  }
  const [ledger] = await database.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, first.jti));
  expect(ledger?.revokedReason).toBe("user_banned");
  expect(await consentCount(target.userId)).toBe(0);
  expect((await personas.owner.caller.grants.list({ userId: target.userId })).items).toEqual([]);
  expect(await accessTokenStatus(database.db, kept.jti)).toBe("active");
  expect(await refreshRevoked(kept.refreshId)).toBeNull();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "user.banned",
    targetId: target.userId,
    details: { accessTokensRevoked: 2, refreshTokensRevoked: 2, consentsRevoked: 2 },
  });
});

test("a domain-admin of another tenant can neither see nor revoke what domain A's users hold", async () => {
  const tenant = await createDomain(database.db);
  const tenantAdmin = await createPersona({ db: database.db, auth }, DOMAIN_ADMIN_ROLE_ID, tenant.id, "tenant-admin");
  const inA = await userIn(personas.domainA.id);
  const { jti } = await seedGrant(inA.userId, await seedClient(personas.domainA.id));
  expect(await outcome(tenantAdmin.caller.grants.revokeToken({ jti }))).toBe("NOT_FOUND");
  expect(await outcome(tenantAdmin.caller.sessions.revokeAllForUser({ userId: inA.userId }))).toBe("NOT_FOUND");
  expect((await tenantAdmin.caller.grants.list({ userId: inA.userId })).items).toEqual([]);
  expect(await accessTokenStatus(database.db, jti)).toBe("active");
});

// ---------------------------------------------------------------------------------------------
// can flags: what the lists tell the console agrees with what the mutations then do

test("grants.list says a grant the caller may read but not revoke cannot be revoked, and grants.revoke agrees", async () => {
  const tenant = await createDomain(database.db);
  const holder = await userIn(tenant.id);
  const clientId = await seedClient(tenant.id);
  await seedGrant(holder.userId, clientId);
  const inA = await userIn(personas.domainA.id);
  const clientInA = await seedClient(null);
  await seedGrant(inA.userId, clientInA);
  const reader = await personaWith([
    { permissions: ["tokens:read"], domainId: null },
    { permissions: ["tokens:delete"], domainId: personas.domainA.id },
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

test("sessions.list marks the sessions of an account beyond the caller's reach as not revocable, as sessions.revoke refuses", async () => {
  const stronger = await userIn(personas.domainA.id, "stronger");
  await grantRole(database.db, stronger.userId, ADMIN_ROLE_ID, null);
  const plain = await userIn(personas.domainA.id, "plain");

  const strongerPage = await personas.domainAdminA.caller.sessions.list({ userId: stronger.userId });
  const plainPage = await personas.domainAdminA.caller.sessions.list({ userId: plain.userId });
  expect(strongerPage.items.map((item) => item.can)).toEqual([{ revoke: false }]);
  expect(plainPage.items.map((item) => item.can)).toEqual([{ revoke: true }]);
  expect([strongerPage.can, plainPage.can]).toEqual([{ revokeAllForUser: false }, { revokeAllForUser: true }]);

  expect(await outcome(personas.domainAdminA.caller.sessions.revoke({ sessionId: strongerPage.items[0]!.id }))).toBe("FORBIDDEN");
  expect(await outcome(personas.domainAdminA.caller.sessions.revokeAllForUser({ userId: stronger.userId }))).toBe("FORBIDDEN");
  expect(await outcome(personas.domainAdminA.caller.sessions.revoke({ sessionId: plainPage.items[0]!.id }))).toBe("ok");
});

test("sessions.list offers revokeAllForUser only with a user filter, and only to whom the mutation allows", async () => {
  const holder = await userIn(personas.domainA.id);
  expect((await personas.owner.caller.sessions.list({})).can).toEqual({ revokeAllForUser: false });
  for (const name of ["owner", "admin", "domainAdminA", "auditor"] as const) {
    const { can } = await personas[name].caller.sessions.list({ userId: holder.userId });
    expect(can, name).toEqual({ revokeAllForUser: name !== "auditor" });
  }
  expect(await outcome(personas.auditor.caller.sessions.revokeAllForUser({ userId: holder.userId }))).toBe("FORBIDDEN");
});
