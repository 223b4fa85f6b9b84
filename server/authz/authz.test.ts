import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import {
  DOMAIN_ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  OWNER_ROLE_ID,
  rolePermission,
  user as userTable,
  userBan,
} from "@/db/schema";
import { recordEvent, SYSTEM_ACTOR } from "@/server/audit/record";
import { withAuthWrites } from "@/server/auth/auth-writes";
import {
  authRequest,
  cookieHeader,
  followVerificationLink,
  signUp,
  TEST_PASSWORD,
  uniqueEmail,
  authTestBed,
} from "@/server/testing/auth";
import { auditRows, createDomain, grantRole, hasRole } from "@/server/testing/authz";
import { loadAuthority } from "./authority";
import { BUILT_IN_ROLE_PERMISSIONS, isPermission, missingPermissions, sortPermissions } from "@/server/shared/permissions";

const bed = authTestBed({ owner: true });

test("the migration seeds exactly the built-in permissions the code declares", async () => {
  const rows = await bed.database.db.select().from(rolePermission);
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
  const { userId } = await signUp(bed.auth);
  const domainA = await createDomain(bed.database.db);
  const domainB = await createDomain(bed.database.db);
  await grantRole(bed.database.db, userId, DOMAIN_ADMIN_ROLE_ID, domainA.id);
  const authority = await loadAuthority(bed.database.db, userId);

  expect(authority.has("users:write", domainA.id)).toBe(true);
  expect(authority.has("users:write", domainB.id)).toBe(false);
  expect(authority.has("users:write", null)).toBe(false);
  expect(authority.hasAnywhere("users:write")).toBe(true);
  expect(authority.scopeOf("users:write")).toEqual({ all: false, domainIds: [domainA.id] });
  expect(authority.hasAnywhere("settings:admin")).toBe(false);
});

test("every new account is a global member, and joins the domain that claims its email domain once the address is verified", async () => {
  const tenant = await createDomain(bed.database.db, { emailDomains: ["acme.test"] });
  const joined = await signUp(bed.auth, `someone-${Date.now()}@acme.test`);
  const outsider = await signUp(bed.auth, uniqueEmail("outsider"));

  expect(await hasRole(bed.database.db, joined.userId, MEMBER_ROLE_ID, null)).toBe(true);
  // Anyone can type an acme.test address into the sign-up form.
  expect(await hasRole(bed.database.db, joined.userId, MEMBER_ROLE_ID, tenant.id)).toBe(false);
  // Opened with no session, or by someone else, the link confirms nothing.
  expect((await followVerificationLink(bed.database.db, bed.auth, joined.email)).status).toBe(403);
  expect((await followVerificationLink(bed.database.db, bed.auth, joined.email, outsider.cookie)).status).toBe(403);
  expect(await hasRole(bed.database.db, joined.userId, MEMBER_ROLE_ID, tenant.id)).toBe(false);
  expect((await followVerificationLink(bed.database.db, bed.auth, joined.email, joined.cookie)).status).toBe(200);
  expect(await hasRole(bed.database.db, joined.userId, MEMBER_ROLE_ID, tenant.id)).toBe(true);
  const [verified] = (await auditRows(bed.database.db, { action: "auth.email_verified" })).filter((row) => row.targetId === joined.userId);
  expect(verified).toMatchObject({ domainId: tenant.id, details: { joinedDomainId: tenant.id } });
  expect(await hasRole(bed.database.db, outsider.userId, MEMBER_ROLE_ID, null)).toBe(true);
  expect(await hasRole(bed.database.db, outsider.userId, MEMBER_ROLE_ID, tenant.id)).toBe(false);
});

test("sign-up, sign-in, a failed sign-in and sign-out each write one audit event", async () => {
  const email = uniqueEmail("audited");
  const signedUp = await authRequest(bed.auth, "/sign-up/email", { body: { name: "Audited", email, password: TEST_PASSWORD } });
  const userId = ((await signedUp.json()) as { user: { id: string } }).user.id;
  const failed = await authRequest(bed.auth, "/sign-in/email", { body: { email, password: "wrong-passphrase-123" } });
  expect(failed.status).toBe(401);
  const signedIn = await authRequest(bed.auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD } });
  expect(signedIn.status).toBe(200);
  await authRequest(bed.auth, "/sign-out", { body: {}, cookie: cookieHeader(signedIn) });

  const mine = (await auditRows(bed.database.db)).filter((row) => row.targetId === userId);
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
  await authRequest(bed.auth, "/sign-in/email", { body: { email, password: "wrong-passphrase-123" } });
  const rows = (await auditRows(bed.database.db, { action: "auth.sign_in_failed" })).filter(
    (row) => (row.details as { email?: string }).email === email,
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]?.targetId).toBeNull();
});

test("a suspended account cannot sign in", async () => {
  const { userId, email } = await signUp(bed.auth);
  await bed.database.db.insert(userBan).values({ userId, reason: "test" });
  const response = await authRequest(bed.auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD } });
  expect(response.status).toBe(403);
  expect(await response.text()).toMatch(/suspended/);
  expect(cookieHeader(response)).not.toMatch(/session_token=[^;]/);
});

test("the owner bootstrap is audited", async () => {
  const rows = await auditRows(bed.database.db, { action: "owner.bootstrapped" });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ actorVia: "system", targetType: "user" });
  const [owner] = await bed.database.db.select().from(userTable).where(eq(userTable.id, rows[0]!.targetId!));
  expect(await hasRole(bed.database.db, owner!.id, OWNER_ROLE_ID, null)).toBe(true);
});

test("better-auth writes made through withAuthWrites roll back with the Gatehouse transaction", async () => {
  const email = uniqueEmail("rolled-back");
  await expect(
    bed.database.db.transaction(async (tx) => {
      await withAuthWrites(bed.auth, tx, (internal) => internal.createUser({ name: "Temp", email, emailVerified: true }, { method: "email-password" }));
      await recordEvent(tx, SYSTEM_ACTOR, { action: "test.rolled_back" });
      throw new Error("abort");
    }),
  ).rejects.toThrow("abort");
  expect(await bed.database.db.select().from(userTable).where(eq(userTable.email, email))).toHaveLength(0);
  expect(await auditRows(bed.database.db, { action: "test.rolled_back" })).toHaveLength(0);

  const committed = uniqueEmail("committed");
  const created = await bed.database.db.transaction((tx) =>
    withAuthWrites(bed.auth, tx, (internal) => internal.createUser({ name: "Kept", email: committed, emailVerified: true }, { method: "email-password" })),
  );
  expect(await hasRole(bed.database.db, created.id, MEMBER_ROLE_ID, null)).toBe(true);
});
