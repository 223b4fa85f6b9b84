import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ADMIN_ROLE_ID, MEMBER_ROLE_ID, OWNER_ROLE_ID, oauthConsent, oauthRefreshToken, user, userBan, session } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { mcpResourceUrl, storedSecretHash } from "@/server/oauth/config";
import { recordIssuedAccessToken } from "@/server/oauth/issued-tokens";
import { TEST_PUBLIC_URL, createTestAuth, signUp } from "@/server/testing/auth";
import { createDomain, createPersona, createPersonas, grantRole, type Caller, type Personas } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { databaseFingerprint, drizzleRows } from "@/server/testing/fingerprint";
import { unique } from "@/server/testing/outcome";
import {
  detailInputFrom,
  listOf,
  openInputOf,
  predictedProcedures,
  procedureOf,
  procedures,
  rowsOfList,
  underivableQuery,
} from "@/server/testing/walk";

/**
 * Every name, email and slug of what the attackers must not reach carries this mark, so that a read
 * that answers instead of refusing can be checked for leaks without knowing its shape.
 */
const CANARY = "canary7q";

/**
 * What the ATTACKS aim at: the owner, and a tenant none of the attackers administers. The rest of
 * what the setup marks (a banned and a pending owner, a tenant user with a global role, the tenant's
 * client and its events) is what the derived attacks on queries find in the owner's lists.
 */
interface Targets {
  ownerId: string;
  /** A browser session of the owner. */
  ownerSessionId: string;
  domainId: string;
  /** The tenant's client. */
  clientId: string;
  accessTokenId: string;
  /** A host whose client metadata documents the owner blocked. */
  blockedHost: string;
}

/**
 * The call an attacker would make, for each mutation no `can` flag predicts (creations, bulk and
 * installation-wide changes): at the owner, the owner role, or the tenant they do not administer.
 *
 * Nothing else needs an entry. A mutation some flag predicts is attacked by the can-flags walk,
 * which calls it as every role on every row, the rows that role cannot read included. A query is
 * called with `{}` (a list) or with the rows of its router's list that carry the canary (a detail),
 * see `server/testing/walk.ts`. A procedure of the personal kind acts on the caller's own account.
 */
const ATTACKS: Record<string, (targets: Targets) => unknown> = {
  "domains.create": () => ({ name: `${CANARY} rogue`, slug: `${CANARY}-rogue-${randomUUID().slice(0, 6)}`, mfaPolicy: "off" }),
  "users.banMany": (t) => ({ ids: [t.ownerId], reason: "takeover" }),
  "clients.create": (t) => ({
    name: "Rogue app",
    type: "public",
    redirectUris: ["https://rogue.example/callback"],
    scopes: ["mcp:admin"],
    domainId: t.domainId,
    skipConsent: true,
  }),
  "clients.deleteMany": (t) => ({ clientIds: [t.clientId] }),
  "clientMetadataDocuments.allowHost": () => ({ host: "rogue.example" }),
  "clientMetadataDocuments.blockHost": () => ({ host: "tenant.example" }),
  "clientMetadataDocuments.removeHostRule": (t) => ({ host: t.blockedHost }),
  "grants.revokeToken": (t) => ({ jti: t.accessTokenId }),
  "sessions.revokeAllForUser": (t) => ({ userId: t.ownerId }),
  "sessions.revokeMany": (t) => ({ sessionIds: [t.ownerSessionId] }),
};

/** How many rows of a list a detail query is attacked with, those carrying the canary first. */
const DETAIL_TARGETS = 5;

/** What the walk calls: the procedure and each input it attacks with. */
async function attacksOn(path: string): Promise<unknown[]> {
  const attack = ATTACKS[path];
  if (attack) return [attack(targets)];
  const open = openInputOf(path);
  if (open) return [open.input];
  const list = listOf(path);
  const rows = rowsOfList(await procedureOf(personas.owner.caller, list)(openInputOf(list)?.input));
  const marked = [...rows].sort((a, b) => Number(JSON.stringify(b).includes(CANARY)) - Number(JSON.stringify(a).includes(CANARY)));
  return marked.slice(0, DETAIL_TARGETS).map((row) => detailInputFrom(path, row)).filter((input) => input !== undefined);
}

/** Why the walk cannot attack a procedure on its own, or null when it can (or need not). */
function unattackable(path: string): string | null {
  const procedure = procedures[path]!;
  const kind = procedure._def.meta?.access?.kind;
  if (kind === "public" || kind === "personal" || path in ATTACKS) return null;
  if (procedure._def.type === "query") return underivableQuery(path);
  if (predictedProcedures.has(path)) return null;
  return `${path}: no can flag predicts this mutation, so escalation.test.ts needs an ATTACKS entry saying how an attacker would call it.`;
}

/** Procedures the walk attacks: every query and every unpredicted mutation that is not personal or public. */
const attacked = Object.keys(procedures).filter((path) => {
  const procedure = procedures[path]!;
  const kind = procedure._def.meta?.access?.kind;
  if (kind === "public" || kind === "personal") return false;
  return procedure._def.type === "query" || path in ATTACKS;
});

type Attacker = "anonymous" | "member" | "auditor" | "domainAdmin" | "admin";

/**
 * The attacks each attacker must fail at. Nobody but the owner can touch the owner or the owner
 * role; the global admin may do everything else, so only those are its attacks. The others hold
 * nothing outside their own domain (and the auditor may read), so every attack is theirs.
 */
// The bulk mutations are attacked like the single ones: the owner is out of the global admin's reach.
const ADMIN_ATTACKS = new Set(["sessions.revokeAllForUser", "users.banMany", "sessions.revokeMany"]);

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
  await asOwner.users.invite({ email: `${CANARY}-pending-${randomUUID().slice(0, 6)}@example.com`, name: `${CANARY} pending`, roleId: OWNER_ROLE_ID });
  const role = await asOwner.roles.create({ name: unique("reviewers"), permissions: ["users:read"] });
  await grantRole(database.db, tenantUser.userId, role.id);
  const blockedHost = `${CANARY}-blocked.example`;
  await asOwner.clientMetadataDocuments.blockHost({ host: blockedHost });
  const [ownerSession] = await database.db.select({ id: session.id }).from(session).where(eq(session.userId, personas.owner.userId)).limit(1);

  targets = { ownerId: personas.owner.userId, ownerSessionId: ownerSession!.id, domainId: tenant.id, clientId, accessTokenId, blockedHost };
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

test("the walk knows every procedure: each is attacked, predicted by a flag, or acts only on the caller's own account", () => {
  expect(Object.keys(procedures).map(unattackable).filter((reason) => reason !== null)).toEqual([]);
  // An entry for a mutation a flag predicts, or for a query, would hide what the derivation does.
  expect(Object.keys(ATTACKS).filter((path) => predictedProcedures.has(path) || procedures[path]?._def.type !== "mutation")).toEqual([]);
});

const REFUSALS = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"]);

test.each<Attacker>(["anonymous", "member", "auditor", "domainAdmin", "admin"])(
  "%s: every procedure it must not reach refuses, leaks nothing, and changes nothing but the audit log",
  async (attacker) => {
    const results: { path: string; outcome: string }[] = [];
    for (const path of attacked) {
      if (!mustFail(attacker, path)) continue;
      for (const input of await attacksOn(path)) {
        const before = await databaseFingerprint(drizzleRows(database.db));
        let outcome: string;
        try {
          const answer = await procedureOf(attackers[attacker], path)(input);
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
    }
    // Every ATTACKS entry is a write, which every attacker but the admin must fail at.
    expect(results.length).toBeGreaterThanOrEqual(attacker === "admin" ? ADMIN_ATTACKS.size : Object.keys(ATTACKS).length);
    expect(results.filter((result) => result.outcome !== "refused" && result.outcome !== "filtered")).toEqual([]);
  },
);
