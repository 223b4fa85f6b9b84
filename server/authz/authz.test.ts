import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  DOMAIN_ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  OWNER_ROLE_ID,
  rolePermission,
  user as userTable,
  userBan,
} from "@/db/schema";
import { recordEvent, SYSTEM_ACTOR } from "@/server/audit/record";
import type { Auth } from "@/server/auth/auth";
import { withAuthWrites } from "@/server/auth/auth-writes";
import {
  authRequest,
  cookieHeader,
  followVerificationLink,
  signUp,
  TEST_PASSWORD,
  uniqueEmail,
  openAuthTestBed,
} from "@/server/testing/auth";
import { auditRows, createDomain, grantRole, hasRole } from "@/server/testing/authz";
import { type TestDatabase } from "@/server/testing/db";
import { loadAuthority } from "./authority";
import { BUILT_IN_ROLE_PERMISSIONS, isPermission, missingPermissions, sortPermissions } from "@/server/shared/permissions";

let database: TestDatabase;
let auth: Auth;

beforeAll(async () => ({ database, auth } = await openAuthTestBed({ owner: true })));

afterAll(() => database.destroy());

test("the migration seeds exactly the built-in permissions the code declares", async () => {
  const rows = await database.db.select().from(rolePermission);
  const seeded: Record<string, string[]> = {};
  for (const row of rows) (seeded[row.roleId] ??= []).push(row.permission);
  for (const [roleId, permissions] of Object.entries(BUILT_IN_ROLE_PERMISSIONS)) {
    expect(sortPermissions((seeded[roleId] ?? []).filter(isPermission)), roleId).toEqual(sortPermissions(permissions));
  }
  expect(rows.every((row) => isPermission(row.permission))).toBe(true);
});

test("the vocabulary rejects strings outside it", () => {
  expect(isPermission("users:read")).toBe(true);
  expect(isPermission("users:fly")).toBe(false);
  expect(isPermission("Users:read")).toBe(false);
  expect(missingPermissions(new Set(["users:read"]), ["users:write", "users:read", "audit:read"])).toEqual([
    "users:write",
    "audit:read",
  ]);
});

test("effective permissions are the global grants united with the target domain's", async () => {
  const { userId } = await signUp(auth);
  const domainA = await createDomain(database.db);
  const domainB = await createDomain(database.db);
  await grantRole(database.db, userId, DOMAIN_ADMIN_ROLE_ID, domainA.id);
  const authority = await loadAuthority(database.db, userId);

  expect(authority.has("users:write", domainA.id)).toBe(true);
  expect(authority.has("users:write", domainB.id)).toBe(false);
  expect(authority.has("users:write", null)).toBe(false);
  expect(authority.hasAnywhere("users:write")).toBe(true);
  expect(authority.scopeOf("users:write")).toEqual({ all: false, domainIds: [domainA.id] });
  expect(authority.hasAnywhere("settings:admin")).toBe(false);
});

test("every new account is a global member, and joins the domain that claims its email domain once the address is verified", async () => {
  const tenant = await createDomain(database.db, { emailDomains: ["acme.test"] });
  const joined = await signUp(auth, `someone-${Date.now()}@acme.test`);
  const outsider = await signUp(auth, uniqueEmail("outsider"));

  expect(await hasRole(database.db, joined.userId, MEMBER_ROLE_ID, null)).toBe(true);
  // Anyone can type an acme.test address into the sign-up form.
  expect(await hasRole(database.db, joined.userId, MEMBER_ROLE_ID, tenant.id)).toBe(false);
  // Opened with no session, or by someone else, the link confirms nothing.
  expect((await followVerificationLink(database.db, auth, joined.email)).status).toBe(403);
  expect((await followVerificationLink(database.db, auth, joined.email, outsider.cookie)).status).toBe(403);
  expect(await hasRole(database.db, joined.userId, MEMBER_ROLE_ID, tenant.id)).toBe(false);
  expect((await followVerificationLink(database.db, auth, joined.email, joined.cookie)).status).toBe(200);
  expect(await hasRole(database.db, joined.userId, MEMBER_ROLE_ID, tenant.id)).toBe(true);
  const [verified] = (await auditRows(database.db, { action: "auth.email_verified" })).filter((row) => row.targetId === joined.userId);
  expect(verified).toMatchObject({ domainId: tenant.id, details: { joinedDomainId: tenant.id } });
  expect(await hasRole(database.db, outsider.userId, MEMBER_ROLE_ID, null)).toBe(true);
  expect(await hasRole(database.db, outsider.userId, MEMBER_ROLE_ID, tenant.id)).toBe(false);
});

test("sign-up, sign-in, a failed sign-in and sign-out each write one audit event", async () => {
  const email = uniqueEmail("audited");
  const signedUp = await authRequest(auth, "/sign-up/email", { body: { name: "Audited", email, password: TEST_PASSWORD } });
  const userId = ((await signedUp.json()) as { user: { id: string } }).user.id;
  const failed = await authRequest(auth, "/sign-in/email", { body: { email, password: "wrong-passphrase-123" } });
  expect(failed.status).toBe(401);
  const signedIn = await authRequest(auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD } });
  expect(signedIn.status).toBe(200);
  await authRequest(auth, "/sign-out", { body: {}, cookie: cookieHeader(signedIn) });

  const mine = (await auditRows(database.db)).filter((row) => row.targetId === userId);
  expect(mine.map((row) => row.action).sort()).toEqual(
    ["auth.sign_in", "auth.sign_in_failed", "auth.sign_out", "auth.sign_up"].sort(),
  );
  const failure = mine.find((row) => row.action === "auth.sign_in_failed");
  expect(failure?.actorUserId).toBeNull();
  expect(failure?.details).toMatchObject({ email });
  expect(JSON.stringify(mine)).not.toContain(TEST_PASSWORD);
  expect(JSON.stringify(mine)).not.toContain("wrong-passphrase-123");
});

test("a failed sign-in for an unknown email is audited without a target", async () => {
  const email = uniqueEmail("nobody");
  await authRequest(auth, "/sign-in/email", { body: { email, password: "wrong-passphrase-123" } });
  const rows = (await auditRows(database.db, { action: "auth.sign_in_failed" })).filter(
    (row) => (row.details as { email?: string }).email === email,
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]?.targetId).toBeNull();
});

test("a suspended account cannot sign in", async () => {
  const { userId, email } = await signUp(auth);
  await database.db.insert(userBan).values({ userId, reason: "test" });
  const response = await authRequest(auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD } });
  expect(response.status).toBe(403);
  expect(await response.text()).toMatch(/suspended/);
  expect(cookieHeader(response)).not.toMatch(/session_token=[^;]/);
});

test("the owner bootstrap is audited", async () => {
  const rows = await auditRows(database.db, { action: "owner.bootstrapped" });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ actorVia: "system", targetType: "user" });
  const [owner] = await database.db.select().from(userTable).where(eq(userTable.id, rows[0]!.targetId!));
  expect(await hasRole(database.db, owner!.id, OWNER_ROLE_ID, null)).toBe(true);
});

test("better-auth writes made through withAuthWrites roll back with the Gatehouse transaction", async () => {
  const email = uniqueEmail("rolled-back");
  await expect(
    database.db.transaction(async (tx) => {
      await withAuthWrites(auth, tx, (internal) => internal.createUser({ name: "Temp", email, emailVerified: true }, { method: "email-password" }));
      await recordEvent(tx, SYSTEM_ACTOR, { action: "test.rolled_back" });
      throw new Error("abort");
    }),
  ).rejects.toThrow("abort");
  expect(await database.db.select().from(userTable).where(eq(userTable.email, email))).toHaveLength(0);
  expect(await auditRows(database.db, { action: "test.rolled_back" })).toHaveLength(0);

  const committed = uniqueEmail("committed");
  const created = await database.db.transaction((tx) =>
    withAuthWrites(auth, tx, (internal) => internal.createUser({ name: "Kept", email: committed, emailVerified: true }, { method: "email-password" })),
  );
  expect(await hasRole(database.db, created.id, MEMBER_ROLE_ID, null)).toBe(true);
});
