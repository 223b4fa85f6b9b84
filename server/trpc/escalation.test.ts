import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ADMIN_ROLE_ID, MEMBER_ROLE_ID, OWNER_ROLE_ID, auditEvent, oauthConsent, oauthRefreshToken, session, user, userBan } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { ALL_PERMISSIONS } from "@/server/shared/permissions";
import { mcpResourceUrl, storedSecretHash } from "@/server/oauth/config";
import { recordIssuedAccessToken } from "@/server/oauth/issued-tokens";
import { TEST_PASSWORD, TEST_PUBLIC_URL, createTestAuth, signUp, uniqueEmail } from "@/server/testing/auth";
import { createDomain, createPersona, createPersonas, grantRole, type Caller, type Personas } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { databaseFingerprint, drizzleRows } from "@/server/testing/fingerprint";
import { unique } from "@/server/testing/outcome";
import type { Meta } from "./init";
import { appRouter } from "./root";

/**
 * Every name, email and slug of what the attackers must not reach carries this mark, so that a read
 * that answers instead of refusing can be checked for leaks without knowing its shape.
 */
const CANARY = "canary7q";

type Procedures = Record<string, { _def: { type: "query" | "mutation"; meta?: Meta } }>;
const procedures = (appRouter as unknown as { _def: { procedures: Procedures } })._def.procedures;

/** What the attacks aim at: the owner, and a tenant none of the attackers administers. */
interface Targets {
  ownerId: string;
  ownerSessionId: string;
  bannedOwnerId: string;
  pendingOwnerId: string;
  roleId: string;
  domainId: string;
  userId: string;
  clientId: string;
  accessTokenId: string;
  accompliceId: string;
  /** The tenant's client.created event, which names the marked client. */
  auditEventId: string;
  /** A host whose client metadata documents the owner blocked. */
  blockedHost: string;
}

/**
 * For each procedure, the call an attacker would make: at the owner, the owner role, or the tenant
 * they do not administer. A procedure with no entry fails the walk; personal procedures that only
 * ever act on the caller's own account are listed in SELF_ONLY instead.
 */
const ATTACKS: Record<string, (targets: Targets) => unknown> = {
  "roles.list": () => ({}),
  "roles.get": () => ({ id: OWNER_ROLE_ID }),
  "roles.permissionOptions": () => ({}),
  "roles.create": () => ({ name: unique("all-powerful"), permissions: [...ALL_PERMISSIONS] }),
  "roles.update": (t) => ({ id: t.roleId, permissions: [...ALL_PERMISSIONS] }),
  "roles.delete": (t) => ({ id: t.roleId, reassignTo: OWNER_ROLE_ID }),
  "roles.assign": (t) => ({ userId: t.accompliceId, roleId: OWNER_ROLE_ID, domainId: null }),
  "roles.unassign": (t) => ({ userId: t.ownerId, roleId: OWNER_ROLE_ID, domainId: null }),
  "domains.list": () => ({}),
  "domains.get": (t) => ({ id: t.domainId }),
  "domains.members": (t) => ({ id: t.domainId }),
  "domains.create": () => ({ name: `${CANARY} rogue`, slug: `${CANARY}-rogue-${randomUUID().slice(0, 6)}`, mfaPolicy: "off" }),
  "domains.update": (t) => ({ id: t.domainId, mfaPolicy: "off", emailDomains: [`${CANARY}-taken.example`] }),
  "domains.delete": (t) => ({ id: t.domainId, cascade: true }),
  "users.list": () => ({}),
  "users.get": (t) => ({ id: t.ownerId }),
  "users.options": () => undefined,
  "users.create": () => ({ email: uniqueEmail("rogue"), name: "Rogue owner", password: TEST_PASSWORD, roleId: OWNER_ROLE_ID }),
  "users.invite": () => ({ email: uniqueEmail("rogue"), name: "Rogue owner", roleId: OWNER_ROLE_ID }),
  "users.reinvite": (t) => ({ id: t.pendingOwnerId }),
  "users.resendInvitation": (t) => ({ id: t.pendingOwnerId }),
  "users.update": (t) => ({ id: t.ownerId, name: "Taken over" }),
  "users.ban": (t) => ({ id: t.ownerId, reason: "takeover" }),
  "users.unban": (t) => ({ id: t.bannedOwnerId }),
  "users.resetMfa": (t) => ({ id: t.ownerId }),
  "users.delete": (t) => ({ id: t.ownerId }),
  "audit.list": () => ({}),
  "audit.get": (t) => ({ id: t.auditEventId }),
  "audit.actions": () => ({}),
  "audit.domains": () => ({}),
  "audit.export": () => ({}),
  "dashboard.activity": () => ({ range: "30d" }),
  "dashboard.securityEvents": () => ({ limit: 50 }),
  "dashboard.access": () => ({ limit: 20 }),
  "dashboard.mfaCoverage": () => undefined,
  "dashboard.registeredClients": () => ({ limit: 20 }),
  "clients.list": () => ({}),
  "clients.registrationSummary": () => ({}),
  "clients.get": (t) => ({ clientId: t.clientId }),
  "clients.create": (t) => ({
    name: "Rogue app",
    type: "public",
    redirectUris: ["https://rogue.example/callback"],
    scopes: ["mcp:admin"],
    domainId: t.domainId,
    skipConsent: true,
  }),
  "clients.update": (t) => ({ clientId: t.clientId, redirectUris: ["https://rogue.example/callback"], skipConsent: true }),
  "clients.rotateSecret": (t) => ({ clientId: t.clientId }),
  "clients.disable": (t) => ({ clientId: t.clientId }),
  "clients.enable": (t) => ({ clientId: t.clientId }),
  "clients.delete": (t) => ({ clientId: t.clientId }),
  "clientMetadataDocuments.get": () => ({}),
  "clientMetadataDocuments.setMode": () => ({ mode: "off" }),
  "clientMetadataDocuments.allowHost": () => ({ host: "rogue.example" }),
  "clientMetadataDocuments.blockHost": () => ({ host: "tenant.example" }),
  "clientMetadataDocuments.removeHostRule": (t) => ({ host: t.blockedHost }),
  "grants.list": (t) => ({ userId: t.userId }),
  "sessions.list": (t) => ({ userId: t.ownerId }),
  "grants.revoke": (t) => ({ userId: t.userId, clientId: t.clientId }),
  "grants.revokeToken": (t) => ({ jti: t.accessTokenId }),
  "sessions.revokeAllForUser": (t) => ({ userId: t.ownerId }),
  "grants.revokeAllForClient": (t) => ({ clientId: t.clientId }),
  "sessions.revoke": (t) => ({ sessionId: t.ownerSessionId }),
  "account.revokeSession": (t) => ({ sessionId: t.ownerSessionId }),
  "account.revokeApp": (t) => ({ clientId: t.clientId }),
};

/** Procedures that act only on the caller's own account whatever the input: there is nothing of anyone else's to aim at. */
const SELF_ONLY = new Set([
  "health",
  "me.get",
  "me.permissions",
  "me.console",
  "me.domains",
  "account.twoFactor",
  "account.passkeys",
  "account.sessions",
  "account.connectedApps",
  "account.mfaRequirement",
  "account.revokeOtherSessions",
  "account.reauthenticate",
  "mcp.connection",
  "mcp.previewTools",
]);

type Attacker = "anonymous" | "member" | "auditor" | "domainAdmin" | "admin";

/**
 * The attacks each attacker must fail at. Nobody but the owner can touch the owner or the owner
 * role; the global admin may do everything else, so only those are its attacks. The others hold
 * nothing outside their own domain (and the auditor may read), so every attack is theirs.
 */
const ADMIN_ATTACKS = new Set([
  "roles.create",
  "roles.update",
  "roles.delete",
  "roles.assign",
  "roles.unassign",
  "users.create",
  "users.invite",
  "users.reinvite",
  "users.resendInvitation",
  "users.update",
  "users.ban",
  "users.unban",
  "users.resetMfa",
  "users.delete",
  "sessions.revokeAllForUser",
  "sessions.revoke",
  "account.revokeSession",
  "account.revokeApp",
]);

function mustFail(attacker: Attacker, path: string): boolean {
  const procedure = procedures[path]!;
  if (attacker === "admin") return ADMIN_ATTACKS.has(path);
  if (attacker === "auditor") {
    const access = procedure._def.meta?.access;
    const readsOnly = access?.kind === "permissions" && access.permissions.every((permission) => permission.endsWith(":read"));
    return !readsOnly;
  }
  return true;
}

let database: TestDatabase;
let auth: Auth;
let personas: Personas;
let targets: Targets;
let attackers: Record<Attacker, Caller>;

beforeAll(async () => {
  database = await createTestDatabase();
  auth = await createTestAuth(database.db);
  const deps = { db: database.db, auth };
  personas = await createPersonas(deps);
  const asOwner = personas.owner.caller;
  await database.db.update(user).set({ name: `${CANARY} Owner` }).where(eq(user.id, personas.owner.userId));

  const tenant = await createDomain(database.db, { name: `${CANARY} tenant`, slug: `${CANARY}-tenant` });
  const tenantUser = await signUp(auth, `${CANARY}-user-${randomUUID().slice(0, 6)}@example.com`);
  await database.db.update(user).set({ name: `${CANARY} user` }).where(eq(user.id, tenantUser.userId));
  await grantRole(database.db, tenantUser.userId, MEMBER_ROLE_ID, tenant.id);
  const client = await asOwner.clients.create({
    name: `${CANARY} client`,
    type: "confidential",
    redirectUris: ["https://tenant.example/callback"],
    scopes: ["openid", "offline_access", "mcp:read"],
    domainId: tenant.id,
  });
  const clientId = client.client.clientId;
  await database.db.insert(oauthConsent).values({
    id: randomUUID(),
    clientId,
    userId: tenantUser.userId,
    scopes: ["openid", "mcp:read"],
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await database.db.insert(oauthRefreshToken).values({
    id: randomUUID(),
    token: storedSecretHash(randomUUID()),
    clientId,
    userId: tenantUser.userId,
    scopes: ["openid", "mcp:read"],
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const accessTokenId = randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  await recordIssuedAccessToken(database.db, {
    claims: { jti: accessTokenId, client_id: clientId, sub: tenantUser.userId, scope: "mcp:read", aud: mcpResourceUrl(TEST_PUBLIC_URL), iat, exp: iat + 900 },
    userId: tenantUser.userId,
    grantType: "authorization_code",
    authorizationCodeId: null,
  });

  const bannedOwner = await createPersona(deps, OWNER_ROLE_ID, null, `${CANARY}-banned-owner`);
  await database.db.insert(userBan).values({ userId: bannedOwner.userId, reason: "", bannedBy: personas.owner.userId, bannedAt: new Date() });
  const pendingOwner = await asOwner.users.invite({ email: `${CANARY}-pending-${randomUUID().slice(0, 6)}@example.com`, name: `${CANARY} pending`, roleId: OWNER_ROLE_ID });
  const role = await asOwner.roles.create({ name: unique("reviewers"), permissions: ["users:read"] });
  await grantRole(database.db, tenantUser.userId, role.id);
  const accomplice = await createPersona(deps, MEMBER_ROLE_ID, personas.domainA.id, "accomplice");
  const [createdEvent] = await database.db
    .select({ id: auditEvent.id })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "client.created"), eq(auditEvent.targetId, clientId), eq(auditEvent.domainId, tenant.id)));
  const [ownerSession] = await database.db.select({ id: session.id }).from(session).where(eq(session.userId, personas.owner.userId)).limit(1);
  const blockedHost = `${CANARY}-blocked.example`;
  await asOwner.clientMetadataDocuments.blockHost({ host: blockedHost });

  targets = {
    ownerId: personas.owner.userId,
    ownerSessionId: ownerSession!.id,
    bannedOwnerId: bannedOwner.userId,
    pendingOwnerId: pendingOwner.id,
    roleId: role.id,
    domainId: tenant.id,
    userId: tenantUser.userId,
    clientId,
    accessTokenId,
    accompliceId: accomplice.userId,
    auditEventId: createdEvent!.id,
    blockedHost,
  };
  attackers = {
    anonymous: personas.anonymous,
    member: personas.member.caller,
    auditor: personas.auditor.caller,
    domainAdmin: personas.domainAdminA.caller,
    admin: personas.admin.caller,
  };
  // The admin holds the admin role, which is not the owner's: a grant of it must stay out of reach too.
  expect(ADMIN_ROLE_ID).not.toBe(OWNER_ROLE_ID);
});

afterAll(() => database?.destroy());

function call(caller: Caller, path: string, input: unknown): Promise<unknown> {
  const [namespace, name] = path.split(".") as [string, string];
  const procedure = (caller as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[namespace]![name]!;
  return procedure(input);
}

test("the walk knows every procedure: each is attacked or acts only on the caller's own account", () => {
  const unknown = Object.keys(procedures).filter((path) => !(path in ATTACKS) && !SELF_ONLY.has(path));
  expect(unknown).toEqual([]);
});

const REFUSALS = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"]);

test.each<Attacker>(["anonymous", "member", "auditor", "domainAdmin", "admin"])(
  "%s: every procedure it must not reach refuses, leaks nothing, and changes nothing but the audit log",
  async (attacker) => {
    const results: { path: string; outcome: string }[] = [];
    for (const [path, attack] of Object.entries(ATTACKS)) {
      if (!mustFail(attacker, path)) continue;
      const before = await databaseFingerprint(drizzleRows(database.db));
      let outcome: string;
      try {
        const answer = await call(attackers[attacker], path, attack(targets));
        // A read may answer, filtered to what the caller may see; nothing marked must be in it.
        const leaked = procedures[path]!._def.type === "query" ? JSON.stringify(answer).includes(CANARY) : true;
        outcome = leaked ? "answered" : "filtered";
      } catch (error) {
        if (!(error instanceof TRPCError)) throw error;
        outcome = REFUSALS.has(error.code) ? "refused" : `${error.code}: ${error.message}`;
      }
      const unchanged = (await databaseFingerprint(drizzleRows(database.db))) === before;
      results.push({ path, outcome: unchanged ? outcome : `${outcome}, and the database changed` });
    }
    expect(results.length).toBeGreaterThan(attacker === "admin" ? 10 : 15);
    expect(results.filter((result) => result.outcome !== "refused" && result.outcome !== "filtered")).toEqual([]);
  },
);
