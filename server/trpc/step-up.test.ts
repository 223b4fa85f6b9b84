import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN_ROLE_ID, AUDITOR_ROLE_ID, MEMBER_ROLE_ID, domain, role, rolePermission } from "@/db/schema";
import { ReauthenticationRequired } from "@/server/auth/step-up";
import type { Auth } from "@/server/auth/auth";
import { TEST_PASSWORD, uniqueEmail } from "@/server/testing/auth";
import { createDomain, createPersona, createPersonas, grantRole, type Caller, type Personas } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { databaseFingerprint, drizzleRows } from "@/server/testing/fingerprint";
import { rejection, unique } from "@/server/testing/outcome";
import { ageSignIn } from "@/server/testing/step-up";
import { insertPasskeyRow } from "@/server/testing/two-factor";
import { callerAs } from "@/server/testing/trpc";
import { eq } from "drizzle-orm";
import type { Meta, PrivilegeChange } from "./init";
import { appRouter } from "./root";

type Procedures = Record<string, { _def: { type: string; meta?: Meta } }>;
const procedures = Object.entries((appRouter as unknown as { _def: { procedures: Procedures } })._def.procedures);

/**
 * What each call that can raise someone's privileges raises. A procedure is on this list because of
 * what it does, not because of how it is written: keep it in step with the routers.
 */
const PRIVILEGE_RAISING: Record<string, readonly PrivilegeChange[]> = {
  "roles.assign": ["grants-role"],
  "roles.delete": ["grants-role"],
  "roles.update": ["widens-role", "relaxes-mfa"],
  "users.create": ["grants-role"],
  "users.invite": ["grants-role"],
  "users.reinvite": ["changes-credentials"],
  "users.resendInvitation": ["changes-credentials"],
  "users.resetMfa": ["changes-credentials"],
  "domains.update": ["relaxes-mfa"],
  "domains.delete": ["destroys-in-bulk"],
  "clients.create": ["trusts-client"],
  "clients.update": ["trusts-client"],
  "clients.rotateSecret": ["changes-credentials"],
  "clientMetadataDocuments.setMode": ["trusts-client"],
  "clientMetadataDocuments.allowHost": ["trusts-client"],
  "clientMetadataDocuments.blockHost": ["destroys-in-bulk"],
  "clientMetadataDocuments.removeHostRule": ["trusts-client"],
  "sessions.revokeAllForUser": ["destroys-in-bulk"],
  "grants.revokeAllForClient": ["destroys-in-bulk"],
};

test("every mutation says whether it needs a recent sign-in; none is left to its resolver to remember", () => {
  const mutations = procedures.filter(([, procedure]) => procedure._def.type === "mutation");
  expect(mutations.length).toBeGreaterThan(25);
  expect(mutations.filter(([, procedure]) => procedure._def.meta?.stepUp === undefined).map(([path]) => path)).toEqual([]);
});

test("every procedure that can grant a role, widen a role, relax an MFA policy, trust a client or change credentials declares it", () => {
  const declared = Object.fromEntries(
    procedures.flatMap(([path, procedure]) => {
      const stepUp = procedure._def.meta?.stepUp;
      return stepUp ? [[path, [...stepUp.raises].sort()]] : [];
    }),
  );
  const expected = Object.fromEntries(Object.entries(PRIVILEGE_RAISING).map(([path, raises]) => [path, [...raises].sort()]));
  expect(declared).toEqual(expected);
});

describe("a session signed in more than ten minutes ago", () => {
  let database: TestDatabase;
  let auth: Auth;
  let personas: Personas;
  let asOwner: Caller;
  /** For each declared procedure, a call that raises privileges. */
  let raisingCalls: Record<string, () => Promise<unknown>>;
  /** Procedures with more than one way of raising privileges: the others. */
  let otherRaisingCalls: Record<string, () => Promise<unknown>>;
  /** Invited with the member role only: a new link for them raises nobody's privileges. */
  let plainInvitee: { id: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    const { createTestAuth } = await import("@/server/testing/auth");
    auth = await createTestAuth(database.db);
    personas = await createPersonas({ db: database.db, auth });
    const deps = { db: database.db, auth };
    asOwner = personas.owner.caller;

    const strictRole = await asOwner.roles.create({ name: unique("strict"), permissions: ["users:read"], requiresMfa: true });
    const doomedRole = await asOwner.roles.create({ name: unique("doomed"), permissions: ["users:read"] });
    const holder = await createPersona(deps, null);
    await grantRole(database.db, holder.userId, doomedRole.id);
    const strictDomain = await createDomain(database.db);
    await database.db.update(domain).set({ mfaPolicy: "required" }).where(eq(domain.id, strictDomain.id));
    const emptyDomain = await createDomain(database.db);
    const invitee = await asOwner.users.invite({ email: uniqueEmail("invitee"), name: "Invitee" });
    plainInvitee = invitee;
    const privilegedInvitee = await asOwner.users.invite({ email: uniqueEmail("auditor-invitee"), name: "Auditor invitee", roleId: AUDITOR_ROLE_ID });
    const enrolled = await createPersona(deps, null);
    await insertPasskeyRow(database.db, enrolled.userId);
    const client = await asOwner.clients.create({
      name: "Server app",
      type: "confidential",
      redirectUris: ["https://app.example.com/callback"],
      scopes: ["openid", "mcp:read"],
    });
    const target = await createPersona(deps, null);
    // Narrowing the metadata-document policy needs no recent sign-in; widening it back does.
    await asOwner.clientMetadataDocuments.setMode({ mode: "allowlist" });
    await asOwner.clientMetadataDocuments.blockHost({ host: "blocked.example.com" });

    await ageSignIn(deps, personas.owner.cookie);
    asOwner = await callerAs(deps, personas.owner.cookie);

    raisingCalls = {
      "roles.assign": () => asOwner.roles.assign({ userId: target.userId, roleId: AUDITOR_ROLE_ID, domainId: null }),
      "roles.delete": () => asOwner.roles.delete({ id: doomedRole.id, reassignTo: ADMIN_ROLE_ID }),
      "roles.update": () => asOwner.roles.update({ id: strictRole.id, requiresMfa: false }),
      "users.create": () =>
        asOwner.users.create({ email: uniqueEmail("admin"), name: "New admin", password: TEST_PASSWORD, roleId: ADMIN_ROLE_ID }),
      "users.invite": () => asOwner.users.invite({ email: uniqueEmail("auditor"), name: "New auditor", roleId: AUDITOR_ROLE_ID }),
      "users.reinvite": () => asOwner.users.reinvite({ id: invitee.id }),
      "users.resendInvitation": () => asOwner.users.resendInvitation({ id: privilegedInvitee.id }),
      "users.resetMfa": () => asOwner.users.resetMfa({ id: enrolled.userId }),
      "domains.update": () => asOwner.domains.update({ id: strictDomain.id, mfaPolicy: "off" }),
      "domains.delete": () => asOwner.domains.delete({ id: emptyDomain.id }),
      "clients.create": () =>
        asOwner.clients.create({
          name: "Trusted app",
          type: "public",
          redirectUris: ["https://trusted.example.com/callback"],
          scopes: ["openid"],
          skipConsent: true,
        }),
      "clients.update": () => asOwner.clients.update({ clientId: client.client.clientId, skipConsent: true }),
      "clients.rotateSecret": () => asOwner.clients.rotateSecret({ clientId: client.client.clientId }),
      "clientMetadataDocuments.setMode": () => asOwner.clientMetadataDocuments.setMode({ mode: "all" }),
      "clientMetadataDocuments.allowHost": () => asOwner.clientMetadataDocuments.allowHost({ host: "app.example.com" }),
      "clientMetadataDocuments.blockHost": () => asOwner.clientMetadataDocuments.blockHost({ host: "other.example.com" }),
      "clientMetadataDocuments.removeHostRule": () => asOwner.clientMetadataDocuments.removeHostRule({ host: "blocked.example.com" }),
      "sessions.revokeAllForUser": () => asOwner.sessions.revokeAllForUser({ userId: target.userId }),
      "grants.revokeAllForClient": () => asOwner.grants.revokeAllForClient({ clientId: client.client.clientId }),
    };
    otherRaisingCalls = {
      "clients.update": () => asOwner.clients.update({ clientId: client.client.clientId, resourceServer: true }),
    };
  });

  afterAll(() => database?.destroy());

  test("is asked to confirm it is them before any declared privilege-raising call, and nothing is written", async () => {
    expect(Object.keys(raisingCalls).sort()).toEqual(Object.keys(PRIVILEGE_RAISING).sort());
    for (const [path, call] of [...Object.entries(raisingCalls), ...Object.entries(otherRaisingCalls)]) {
      const before = await databaseFingerprint(drizzleRows(database.db));
      const error = await rejection(call());
      expect({ path, code: error.code, reauth: error.cause instanceof ReauthenticationRequired }).toEqual({
        path,
        code: "FORBIDDEN",
        reauth: true,
      });
      expect({ path, unchanged: (await databaseFingerprint(drizzleRows(database.db))) === before }).toEqual({ path, unchanged: true });
    }
  });

  test("is not asked for calls of the same procedures that raise nothing", async () => {
    const plainRole = await asOwner.roles.create({ name: unique("plain"), permissions: ["users:read"] });
    await expect(asOwner.roles.update({ id: plainRole.id, description: "Reads users" })).resolves.toMatchObject({ description: "Reads users" });
    await expect(asOwner.roles.update({ id: plainRole.id, permissions: [] })).resolves.toMatchObject({ permissions: [] });
    await expect(asOwner.roles.delete({ id: plainRole.id })).resolves.toMatchObject({ id: plainRole.id });
    await expect(asOwner.users.create({ email: uniqueEmail("member"), name: "Member", password: TEST_PASSWORD })).resolves.toMatchObject({
      name: "Member",
    });
    await expect(
      asOwner.users.invite({ email: uniqueEmail("member"), name: "Member", roleId: MEMBER_ROLE_ID, domainId: personas.domainA.id }),
    ).resolves.toMatchObject({ email: expect.any(String) });
    await expect(asOwner.users.resendInvitation({ id: plainInvitee.id })).resolves.toMatchObject({ id: plainInvitee.id, emailed: true });
    await expect(asOwner.domains.update({ id: personas.domainB.id, mfaPolicy: "required" })).resolves.toMatchObject({ mfaPolicy: "required" });
    await expect(asOwner.clientMetadataDocuments.setMode({ mode: "off" })).resolves.toMatchObject({ mode: "off" });
  });
});

describe("relaxing a role's MFA requirement", () => {
  let database: TestDatabase;
  let personas: Personas;
  let deps: { db: TestDatabase["db"]; auth: Auth };

  beforeAll(async () => {
    database = await createTestDatabase();
    const { createTestAuth } = await import("@/server/testing/auth");
    const auth = await createTestAuth(database.db);
    deps = { db: database.db, auth };
    personas = await createPersonas(deps);
  });

  afterAll(() => database?.destroy());

  async function customRole(permissions: string[], requiresMfa = false) {
    const id = `role_${randomUUID()}`;
    await database.db.insert(role).values({ id, name: unique("custom"), description: "", builtIn: false, requiresMfa });
    for (const permission of permissions) await database.db.insert(rolePermission).values({ roleId: id, permission });
    return id;
  }

  test("needs roles:admin: roles:write alone cannot switch it off", async () => {
    const editorRole = await customRole(["roles:read", "roles:write", "users:read"]);
    const editor = await createPersona(deps, editorRole);
    const strict = await customRole(["users:read"], true);
    const error = await rejection(editor.caller.roles.update({ id: strict, requiresMfa: false }));
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "You need the roles:admin permission globally." });
    const [row] = await database.db.select({ requiresMfa: role.requiresMfa }).from(role).where(eq(role.id, strict));
    expect(row?.requiresMfa).toBe(true);
  });

  test("needs every permission of the role: an admin cannot lift the owner role's requirement", async () => {
    const { OWNER_ROLE_ID } = await import("@/db/schema");
    await database.db.update(role).set({ requiresMfa: true }).where(eq(role.id, OWNER_ROLE_ID));
    const error = await rejection(personas.admin.caller.roles.update({ id: OWNER_ROLE_ID, requiresMfa: false }));
    expect(error).toBeInstanceOf(TRPCError);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("settings:admin") });
  });
});

test("deleting a role while handing its holders another role needs roles:admin, not just roles:delete", async () => {
  const database = await createTestDatabase();
  try {
    const { createTestAuth } = await import("@/server/testing/auth");
    const auth = await createTestAuth(database.db);
    const deps = { db: database.db, auth };
    const personas = await createPersonas(deps);
    const cleanerRole = `role_${randomUUID()}`;
    await database.db.insert(role).values({ id: cleanerRole, name: unique("cleaner"), description: "", builtIn: false });
    for (const permission of ["roles:read", "roles:delete", "users:read"]) {
      await database.db.insert(rolePermission).values({ roleId: cleanerRole, permission });
    }
    const cleaner = await createPersona(deps, cleanerRole);
    const doomed = await personas.owner.caller.roles.create({ name: unique("doomed"), permissions: ["users:read"] });
    const holder = await createPersona(deps, null);
    await grantRole(database.db, holder.userId, doomed.id);
    const reader = await personas.owner.caller.roles.create({ name: unique("reader"), permissions: ["users:read"] });

    const error = await rejection(cleaner.caller.roles.delete({ id: doomed.id, reassignTo: reader.id }));
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "You need the roles:admin permission globally." });
    expect(await database.db.$count(role, eq(role.id, doomed.id))).toBe(1);
  } finally {
    database.destroy();
  }
});
