import { randomUUID } from "node:crypto";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  ADMIN_ROLE_ID,
  AUDITOR_ROLE_ID,
  DOMAIN_ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  OWNER_ROLE_ID,
  account,
  auditEvent,
  devOutboxMessage,
  domainEmailDomain,
  invitation,
  role,
  roleAssignment,
  rolePermission,
  session,
  user,
  userBan,
} from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { ID_MAX_LENGTH } from "@/server/ids";
import { ALL_PERMISSIONS } from "@/server/shared/permissions";
import {
  TEST_PASSWORD,
  authRequest,
  createTestAuth,
  followVerificationLink,
  outboxLink,
  signIn,
  signUp,
  uniqueEmail,
} from "@/server/testing/auth";
import {
  auditRows,
  countAuditRows,
  createDomain,
  createPersona,
  createPersonas,
  openPersonaTestBed,
  grantRole,
  hasRole,
  type Caller,
  type Personas,
} from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { insertPasskeyRow } from "@/server/testing/two-factor";
import { callerAs } from "@/server/testing/trpc";
import { acceptInvitation, isInvitationUsable } from "@/server/users/invitation";
import { usersRouter } from "./router";

let database: TestDatabase;
let auth: Auth;
let p: Personas;

beforeAll(async () => ({ database, auth, personas: p } = await openPersonaTestBed()));

afterAll(() => database.destroy());

type Outcome = "ok" | TRPC_ERROR_CODE_KEY;

async function outcome(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return "ok";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code as TRPC_ERROR_CODE_KEY;
    throw error;
  }
}

/** A signed-up account that is a member of `domainId` (and a global member, as every account). */
async function userIn(domainId: string | null, prefix = "target") {
  const created = await signUp(auth, uniqueEmail(prefix));
  if (domainId) await grantRole(database.db, created.userId, MEMBER_ROLE_ID, domainId);
  return created;
}

async function ban(userId: string) {
  await database.db.insert(userBan).values({ userId, reason: "set up by the test" });
}

async function userRow(email: string) {
  return database.db.select().from(user).where(eq(user.email, email));
}

function tokenOf(inviteUrl: string): string {
  return new URL(inviteUrl).searchParams.get("token") ?? "";
}

async function invitee(domainId: string) {
  const email = uniqueEmail("invitee");
  const invited = await p.owner.caller.users.invite({ email, name: "Invited Person", domainId });
  return { userId: invited.id, email, token: tokenOf(invited.inviteUrl) };
}

// ---------------------------------------------------------------------------------------------
// The allow/deny matrix: every procedure × every kind of caller, acting on domain A or B.

interface Actor {
  label: string;
  caller: () => Caller;
  userId: () => string | null;
  domainId: () => string;
}

const ACTORS: Actor[] = [
  { label: "owner", caller: () => p.owner.caller, userId: () => p.owner.userId, domainId: () => p.domainA.id },
  { label: "admin", caller: () => p.admin.caller, userId: () => p.admin.userId, domainId: () => p.domainA.id },
  {
    label: "domain-admin of A on A",
    caller: () => p.domainAdminA.caller,
    userId: () => p.domainAdminA.userId,
    domainId: () => p.domainA.id,
  },
  {
    label: "domain-admin of A on B",
    caller: () => p.domainAdminA.caller,
    userId: () => p.domainAdminA.userId,
    domainId: () => p.domainB.id,
  },
  { label: "auditor", caller: () => p.auditor.caller, userId: () => p.auditor.userId, domainId: () => p.domainA.id },
  { label: "member", caller: () => p.member.caller, userId: () => p.member.userId, domainId: () => p.domainA.id },
  { label: "anonymous", caller: () => p.anonymous, userId: () => null, domainId: () => p.domainA.id },
];

interface Prepared {
  call: (caller: Caller) => Promise<unknown>;
  /** The user the audit row should name; for creations it comes from the result. */
  targetId?: string;
}

interface MatrixRow {
  procedure: string;
  mutation?: { action: string };
  /** In ACTORS order. */
  expected: Outcome[];
  prepare: (domainId: string) => Promise<Prepared>;
}

const READ: Outcome[] = ["ok", "ok", "ok", "NOT_FOUND", "ok", "FORBIDDEN", "UNAUTHORIZED"];
const WRITE: Outcome[] = ["ok", "ok", "ok", "NOT_FOUND", "FORBIDDEN", "FORBIDDEN", "UNAUTHORIZED"];

/**
 * A row for a change to one user of the domain, audited on them: a member unless `of` makes someone
 * else (an invitee), put in the state the change needs by `before`.
 */
function onOneUser(
  procedure: string,
  action: string,
  call: (caller: Caller, id: string) => Promise<unknown>,
  options: { of?: (domainId: string) => Promise<{ userId: string }>; before?: (userId: string) => Promise<unknown> } = {},
): MatrixRow {
  const { of = userIn, before } = options;
  return {
    procedure,
    mutation: { action },
    expected: WRITE,
    prepare: async (domainId) => {
      const { userId } = await of(domainId);
      await before?.(userId);
      return { call: (caller) => call(caller, userId), targetId: userId };
    },
  };
}

const MATRIX: MatrixRow[] = [
  {
    procedure: "list",
    expected: READ,
    prepare: async (domainId) => ({ call: (caller) => caller.users.list({ domainId }) }),
  },
  {
    procedure: "options",
    // Held anywhere is enough: the domain-admin of A is offered A whichever domain the row is about.
    expected: ["ok", "ok", "ok", "ok", "ok", "FORBIDDEN", "UNAUTHORIZED"],
    prepare: async () => ({ call: (caller) => caller.users.options() }),
  },
  {
    procedure: "get",
    expected: READ,
    prepare: async (domainId) => {
      const { userId } = await userIn(domainId);
      return { call: (caller) => caller.users.get({ id: userId }) };
    },
  },
  {
    procedure: "create",
    mutation: { action: "user.created" },
    expected: WRITE,
    prepare: async (domainId) => ({
      call: (caller) =>
        caller.users.create({ email: uniqueEmail("created"), name: "Created Person", password: TEST_PASSWORD, domainId }),
    }),
  },
  {
    procedure: "invite",
    mutation: { action: "user.invited" },
    expected: WRITE,
    prepare: async (domainId) => ({
      call: (caller) => caller.users.invite({ email: uniqueEmail("invited"), name: "Invited Person", domainId }),
    }),
  },
  onOneUser("reinvite", "user.reinvited", (caller, id) => caller.users.reinvite({ id }), { of: invitee }),
  onOneUser("resendInvitation", "user.invitation_resent", (caller, id) => caller.users.resendInvitation({ id }), { of: invitee }),
  onOneUser("update", "user.updated", (caller, id) => caller.users.update({ id, name: "Renamed Person" })),
  onOneUser("ban", "user.banned", (caller, id) => caller.users.ban({ id, reason: "matrix" })),
  onOneUser("banMany", "user.banned", (caller, id) => caller.users.banMany({ ids: [id], reason: "matrix" })),
  onOneUser("unban", "user.unbanned", (caller, id) => caller.users.unban({ id }), { before: ban }),
  onOneUser("resetMfa", "user.mfa_reset", (caller, id) => caller.users.resetMfa({ id }), { before: (userId) => insertPasskeyRow(database.db, userId) }),
  onOneUser("delete", "user.deleted", (caller, id) => caller.users.delete({ id })),
];

const MATRIX_CASES = MATRIX.flatMap((row) =>
  ACTORS.map((actor, index) => ({ ...row, actor, expectedOutcome: row.expected[index] as Outcome })),
);

test.each(MATRIX_CASES.map((entry) => [entry.procedure, entry.actor.label, entry.expectedOutcome, entry] as const))(
  "users.%s as %s → %s",
  async (_procedure, _label, expectedOutcome, entry) => {
    const domainId = entry.actor.domainId();
    const prepared = await entry.prepare(domainId);
    const before = await countAuditRows(database.db);
    let result: unknown;
    const got = await outcome(
      prepared.call(entry.actor.caller()).then((value) => {
        result = value;
      }),
    );
    expect(got).toBe(expectedOutcome);
    const written = (await database.db.select().from(auditEvent).orderBy(sql`rowid`)).slice(before);
    if (entry.mutation && got === "ok") {
      const targetId = prepared.targetId ?? (result as { id: string }).id;
      expect(written).toHaveLength(1);
      expect(written[0]).toMatchObject({
        action: entry.mutation.action,
        actorUserId: entry.actor.userId(),
        actorVia: "web",
        targetType: "user",
        targetId,
        domainId,
      });
    } else {
      expect(written).toHaveLength(0);
    }
  },
);

test("every users procedure is in the matrix", () => {
  expect(Object.keys(usersRouter._def.procedures).sort()).toEqual(MATRIX.map((row) => row.procedure).sort());
});

// ---------------------------------------------------------------------------------------------
// Visibility

test("a domain-admin lists only the users of their domain, with only that domain's roles", async () => {
  const inA = await userIn(p.domainA.id, "vis-a");
  const inB = await userIn(p.domainB.id, "vis-b");
  const inBoth = await userIn(p.domainA.id, "vis-both");
  await grantRole(database.db, inBoth.userId, AUDITOR_ROLE_ID, p.domainB.id);
  const globalOnly = await userIn(null, "vis-global");

  const seen = new Map<string, { roles: { domainId: string | null }[] }>();
  let cursor: string | undefined;
  do {
    const page = await p.domainAdminA.caller.users.list({ search: "vis-", cursor, limit: 100 });
    for (const item of page.items) seen.set(item.id, item);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  expect(seen.has(inA.userId)).toBe(true);
  expect(seen.has(inBoth.userId)).toBe(true);
  expect(seen.has(inB.userId)).toBe(false);
  expect(seen.has(globalOnly.userId)).toBe(false);
  for (const item of seen.values()) {
    expect(item.roles.length).toBeGreaterThan(0);
    expect(item.roles.every((assignment) => assignment.domainId === p.domainA.id)).toBe(true);
  }
});

test("a user outside the caller's domains is not found by id, exactly like an unknown id", async () => {
  const inB = await userIn(p.domainB.id);
  await expect(p.domainAdminA.caller.users.get({ id: inB.userId })).rejects.toMatchObject({
    code: "NOT_FOUND",
    message: "User not found.",
  });
  await expect(p.domainAdminA.caller.users.get({ id: randomUUID() })).rejects.toMatchObject({
    code: "NOT_FOUND",
    message: "User not found.",
  });
  await expect(p.domainAdminA.caller.users.ban({ id: inB.userId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(p.domainAdminA.caller.users.delete({ id: inB.userId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  expect(await userRow(inB.email)).toHaveLength(1);
});

test("a global reader sees every scope of a user's roles; a domain reader only theirs", async () => {
  const target = await userIn(p.domainA.id);
  await grantRole(database.db, target.userId, AUDITOR_ROLE_ID, p.domainB.id);
  const asAdmin = await p.admin.caller.users.get({ id: target.userId });
  expect(asAdmin.roles.map((r) => [r.roleId, r.domainId]).sort()).toEqual(
    [
      [MEMBER_ROLE_ID, null],
      [MEMBER_ROLE_ID, p.domainA.id],
      [AUDITOR_ROLE_ID, p.domainB.id],
    ].sort(),
  );
  const asDomainAdmin = await p.domainAdminA.caller.users.get({ id: target.userId });
  expect(asDomainAdmin.roles).toEqual([
    expect.objectContaining({ roleId: MEMBER_ROLE_ID, roleName: "member", domainId: p.domainA.id, domainName: "Domain A" }),
  ]);
});

test("listing a domain the caller cannot read is not found, as is a domain that does not exist", async () => {
  await expect(p.domainAdminA.caller.users.list({ domainId: p.domainB.id })).rejects.toMatchObject({
    code: "NOT_FOUND",
    message: "Domain not found.",
  });
  await expect(p.owner.caller.users.list({ domainId: randomUUID() })).rejects.toMatchObject({
    code: "NOT_FOUND",
    message: "Domain not found.",
  });
});

// ---------------------------------------------------------------------------------------------
// Account-wide authority

test("a domain-admin cannot ban, edit or delete a user who also belongs to another domain", async () => {
  const target = await userIn(p.domainA.id);
  await grantRole(database.db, target.userId, MEMBER_ROLE_ID, p.domainB.id);
  const before = await countAuditRows(database.db);
  for (const call of [
    () => p.domainAdminA.caller.users.ban({ id: target.userId }),
    () => p.domainAdminA.caller.users.update({ id: target.userId, name: "Nope" }),
    () => p.domainAdminA.caller.users.delete({ id: target.userId }),
  ]) {
    await expect(call()).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: `${target.email} also belongs outside your domains; ask a global administrator.`,
    });
  }
  expect(await countAuditRows(database.db)).toBe(before);
  expect(await database.db.select().from(userBan).where(eq(userBan.userId, target.userId))).toHaveLength(0);
  expect((await userRow(target.email))[0]?.name).toBe("Test User");
});

test("a domain-admin cannot ban a user of their domain who holds a global role with permissions", async () => {
  const target = await userIn(p.domainA.id);
  await grantRole(database.db, target.userId, ADMIN_ROLE_ID, null);
  await expect(p.domainAdminA.caller.users.ban({ id: target.userId })).rejects.toMatchObject({
    code: "FORBIDDEN",
    message: `${target.email} also belongs outside your domains; ask a global administrator.`,
  });
});

test("a domain-admin cannot act on someone who holds more in their domain than they do", async () => {
  const stronger = await userIn(p.domainA.id);
  const [custom] = await database.db
    .insert(role)
    .values({ id: randomUUID(), name: `domain-settings-${randomUUID()}` })
    .returning();
  await database.db.insert(rolePermission).values({ roleId: custom!.id, permission: "domains:write" });
  await grantRole(database.db, stronger.userId, custom!.id, p.domainA.id);
  await expect(p.domainAdminA.caller.users.ban({ id: stronger.userId })).rejects.toMatchObject({
    code: "FORBIDDEN",
    message: `You cannot act on ${stronger.email}: they hold permissions you do not (domains:write).`,
  });
});

test("an admin cannot ban or delete an owner", async () => {
  const secondOwner = await createPersona({ db: database.db, auth }, OWNER_ROLE_ID, null, "second-owner");
  const message = `You cannot act on ${secondOwner.email}: they hold permissions you do not (settings:admin).`;
  await expect(p.admin.caller.users.ban({ id: secondOwner.userId })).rejects.toMatchObject({ code: "FORBIDDEN", message });
  await expect(p.admin.caller.users.delete({ id: secondOwner.userId })).rejects.toMatchObject({ code: "FORBIDDEN", message });
  await expect(p.admin.caller.users.update({ id: secondOwner.userId, name: "Demoted" })).rejects.toMatchObject({
    code: "FORBIDDEN",
  });
  expect(await hasRole(database.db, secondOwner.userId, OWNER_ROLE_ID, null)).toBe(true);
});

test("nobody bans or deletes themselves", async () => {
  for (const persona of [p.owner, p.admin, p.domainAdminA]) {
    await expect(persona.caller.users.ban({ id: persona.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "You cannot ban your own account.",
    });
    await expect(persona.caller.users.delete({ id: persona.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "You cannot delete your own account; ask another administrator.",
    });
  }
});

test("the last owner can be neither banned nor deleted, even by someone holding every permission", async () => {
  // Its own database: the rest of this file shares an owner whose uniqueness this test changes.
  const isolated = await createTestDatabase();
  try {
    const isolatedAuth = await createTestAuth(isolated.db);
    const deps = { db: isolated.db, auth: isolatedAuth };
    const { owner } = await createPersonas(deps);
    const superRoleId = randomUUID();
    await isolated.db.insert(role).values({ id: superRoleId, name: "everything-but-owner" });
    await isolated.db.insert(rolePermission).values(ALL_PERMISSIONS.map((permission) => ({ roleId: superRoleId, permission })));
    const superuser = await createPersona(deps, superRoleId, null, "superuser");

    await expect(superuser.caller.users.ban({ id: owner.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: `${owner.email} is the last owner. Make someone else an owner first.`,
    });
    await expect(superuser.caller.users.delete({ id: owner.userId })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const secondOwner = await createPersona(deps, OWNER_ROLE_ID, null, "second-owner");
    await expect(superuser.caller.users.ban({ id: owner.userId })).resolves.toMatchObject({ id: owner.userId });
    // A banned owner cannot administer anything, so the other one is now the last.
    await expect(superuser.caller.users.delete({ id: secondOwner.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: `${secondOwner.email} is the last owner. Make someone else an owner first.`,
    });
  } finally {
    isolated.destroy();
  }
});

// ---------------------------------------------------------------------------------------------
// Ban and unban

test("a ban ends the user's sessions at once, blocks sign-in, and unban lets them back in", async () => {
  const target = await userIn(p.domainA.id);
  const headers = new Headers({ cookie: target.cookie });
  expect(await auth.api.getSession({ headers })).not.toBeNull();

  await p.domainAdminA.caller.users.ban({ id: target.userId, reason: "  phishing  " });
  expect(await auth.api.getSession({ headers })).toBeNull();
  expect(await database.db.select().from(session).where(eq(session.userId, target.userId))).toHaveLength(0);
  await expect((await callerAs({ db: database.db, auth }, target.cookie)).me.get()).rejects.toMatchObject({
    code: "UNAUTHORIZED",
  });
  const refused = await authRequest(auth, "/sign-in/email", { body: { email: target.email, password: TEST_PASSWORD } });
  expect(refused.status).toBe(403);

  const detail = await p.owner.caller.users.get({ id: target.userId });
  expect(detail.banned).toMatchObject({ reason: "phishing", bannedBy: p.domainAdminA.userId, bannedByEmail: p.domainAdminA.email });
  expect(detail.sessionsCount).toBe(0);
  const [row] = await auditRows(database.db, { action: "user.banned" }).then((rows) => rows.filter((r) => r.targetId === target.userId));
  expect(row?.details).toEqual({ email: target.email, reason: "phishing", accessTokensRevoked: 0, refreshTokensRevoked: 0, consentsRevoked: 0 });

  await p.domainAdminA.caller.users.unban({ id: target.userId });
  await expect(signIn(auth, target.email)).resolves.toHaveProperty("cookie");
  expect((await p.owner.caller.users.get({ id: target.userId })).banned).toBeNull();
});

test("banning a banned user and unbanning one who is not banned are conflicts that write nothing", async () => {
  const target = await userIn(p.domainA.id);
  await expect(p.owner.caller.users.unban({ id: target.userId })).rejects.toMatchObject({
    code: "CONFLICT",
    message: `${target.email} is not banned.`,
  });
  await p.owner.caller.users.ban({ id: target.userId });
  const before = await countAuditRows(database.db);
  await expect(p.owner.caller.users.ban({ id: target.userId })).rejects.toMatchObject({
    code: "CONFLICT",
    message: `${target.email} is already banned.`,
  });
  expect(await countAuditRows(database.db)).toBe(before);
});

test("the list marks banned users", async () => {
  const target = await userIn(p.domainA.id, "list-banned");
  await ban(target.userId);
  const page = await p.owner.caller.users.list({ search: target.email });
  expect(page.items).toEqual([expect.objectContaining({ id: target.userId, banned: true })]);
});

test("each list row says, without a second request, the user's MFA status, role names and whether they are still invited", async () => {
  const enrolled = await userIn(p.domainA.id, "list-fields");
  await insertPasskeyRow(database.db, enrolled.userId);
  const page = await p.owner.caller.users.list({ search: enrolled.email });
  expect(page.items).toEqual([
    expect.objectContaining({
      id: enrolled.userId,
      invited: false,
      mfa: expect.objectContaining({ enrolled: true, methods: ["passkey"] }),
      roles: expect.arrayContaining([
        { roleId: MEMBER_ROLE_ID, roleName: "member", domainId: p.domainA.id, domainName: "Domain A" },
      ]),
    }),
  ]);
});

// ---------------------------------------------------------------------------------------------
// Create

test("create makes an account that signs in with its password and holds the requested role", async () => {
  const email = uniqueEmail("made");
  const created = await p.domainAdminA.caller.users.create({
    email: email.toUpperCase(),
    name: "  Made Person  ",
    password: TEST_PASSWORD,
    roleId: DOMAIN_ADMIN_ROLE_ID,
    domainId: p.domainA.id,
  });
  expect(created).toEqual({ id: expect.any(String), email, name: "Made Person" });
  expect(await hasRole(database.db, created.id, DOMAIN_ADMIN_ROLE_ID, p.domainA.id)).toBe(true);
  expect(await hasRole(database.db, created.id, MEMBER_ROLE_ID, null)).toBe(true);
  await expect(signIn(auth, email)).resolves.toHaveProperty("cookie");

  const [row] = (await auditRows(database.db, { action: "user.created" })).filter((r) => r.targetId === created.id);
  expect(row?.details).toEqual({ email, name: "Made Person", roleId: DOMAIN_ADMIN_ROLE_ID, domainId: p.domainA.id });
  expect(JSON.stringify(row)).not.toContain(TEST_PASSWORD);

  const detail = await p.owner.caller.users.get({ id: created.id });
  expect(detail).toMatchObject({ hasPassword: true, invitationPending: false, emailVerified: false, mfa: { enrolled: false, methods: [] } });
});

test("create without a role or domain makes a plain global member, without a duplicate assignment", async () => {
  const created = await p.owner.caller.users.create({ email: uniqueEmail("plain"), name: "Plain", password: TEST_PASSWORD });
  const assignments = await database.db.select().from(roleAssignment).where(eq(roleAssignment.userId, created.id));
  expect(assignments.map((a) => [a.roleId, a.domainId])).toEqual([[MEMBER_ROLE_ID, null]]);
});

test("create in the domain that claims the email domain places the account there once", async () => {
  const claimed = `claimed-${randomUUID().slice(0, 8)}.test`;
  const tenant = await createDomain(database.db, { emailDomains: [claimed] });
  const created = await p.owner.caller.users.create({
    email: `someone@${claimed}`,
    name: "Claimed",
    password: TEST_PASSWORD,
    domainId: tenant.id,
  });
  const assignments = await database.db.select().from(roleAssignment).where(eq(roleAssignment.userId, created.id));
  expect(assignments.map((a) => [a.roleId, a.domainId]).sort()).toEqual(
    [
      [MEMBER_ROLE_ID, null],
      [MEMBER_ROLE_ID, tenant.id],
    ].sort(),
  );
});

test("a domain-admin cannot create or invite an account whose address another domain claims, and nothing is written", async () => {
  const claimed = `elsewhere-${randomUUID().slice(0, 8)}.test`;
  await createDomain(database.db, { name: "Claims it", emailDomains: [claimed] });
  const before = await countAuditRows(database.db);
  const message = `Addresses at ${claimed} belong to a domain you do not administer. Ask one of its administrators, or a global administrator, to create this account.`;

  // The account would join the claiming domain as soon as its owner confirmed the address, with a password the domain-admin chose.
  await expect(
    p.domainAdminA.caller.users.create({ email: `planted@${claimed}`, name: "Planted", password: TEST_PASSWORD, domainId: p.domainA.id }),
  ).rejects.toMatchObject({ code: "FORBIDDEN", message });
  await expect(
    p.domainAdminA.caller.users.invite({ email: `invited@${claimed}`, name: "Planted", domainId: p.domainA.id }),
  ).rejects.toMatchObject({ code: "FORBIDDEN", message });
  expect(await userRow(`planted@${claimed}`)).toHaveLength(0);
  expect(await userRow(`invited@${claimed}`)).toHaveLength(0);
  expect(await countAuditRows(database.db)).toBe(before);
});

test("a domain-admin may create an account whose address their own domain claims", async () => {
  const claimed = `own-${randomUUID().slice(0, 8)}.test`;
  await database.db.insert(domainEmailDomain).values({ emailDomain: claimed, domainId: p.domainA.id });
  const created = await p.domainAdminA.caller.users.create({
    email: `colleague@${claimed}`,
    name: "Colleague",
    password: TEST_PASSWORD,
    domainId: p.domainA.id,
  });
  expect(await hasRole(database.db, created.id, MEMBER_ROLE_ID, p.domainA.id)).toBe(true);
});

test("an account created with a claimed address joins the claiming domain only once the address is verified", async () => {
  const claimed = `later-${randomUUID().slice(0, 8)}.test`;
  const tenant = await createDomain(database.db, { emailDomains: [claimed] });
  const email = `someone@${claimed}`;
  const created = await p.owner.caller.users.create({ email, name: "Not yet", password: TEST_PASSWORD });
  expect(await hasRole(database.db, created.id, MEMBER_ROLE_ID, tenant.id)).toBe(false);

  await authRequest(auth, "/send-verification-email", { body: { email } });
  const { cookie } = await signIn(auth, email);
  expect((await followVerificationLink(database.db, auth, email, cookie)).status).toBe(200);
  expect(await hasRole(database.db, created.id, MEMBER_ROLE_ID, tenant.id)).toBe(true);
  const [verified] = await auditRows(database.db, { action: "auth.email_verified", targetId: created.id });
  expect(verified).toMatchObject({ domainId: tenant.id, details: { joinedDomainId: tenant.id } });
});

test("create with a taken email is a conflict, whatever its case, and writes nothing", async () => {
  const existing = await userIn(p.domainA.id);
  const before = await countAuditRows(database.db);
  await expect(
    p.owner.caller.users.create({ email: existing.email.toUpperCase(), name: "Twin", password: TEST_PASSWORD }),
  ).rejects.toMatchObject({ code: "CONFLICT", message: "An account with this email already exists." });
  await expect(p.owner.caller.users.invite({ email: existing.email, name: "Twin" })).rejects.toMatchObject({ code: "CONFLICT" });
  expect(await userRow(existing.email)).toHaveLength(1);
  expect((await userRow(existing.email))[0]?.name).toBe("Test User");
  expect(await countAuditRows(database.db)).toBe(before);
});

test("create and invite never give the owner role inside a domain, as roles.assign does not, and write nothing", async () => {
  const before = await countAuditRows(database.db);
  const email = uniqueEmail("domain-owner");
  const inDomain = { email, name: "Domain owner", roleId: OWNER_ROLE_ID, domainId: p.domainA.id };
  await expect(p.owner.caller.users.create({ ...inDomain, password: TEST_PASSWORD })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  await expect(p.owner.caller.users.invite(inDomain)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  expect(await userRow(email)).toHaveLength(0);
  expect(await countAuditRows(database.db)).toBe(before);
});

test("create refuses a short or common password with a sentence, and writes nothing", async () => {
  for (const password of ["short-pw", "password1234", "Qwerty123456"]) {
    const email = uniqueEmail("weak");
    const error = await p.owner.caller.users.create({ email, name: "Weak", password }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    expect((error as Error).message).toMatch(/at least 12 characters|too common/);
    expect(await userRow(email)).toHaveLength(0);
  }
});

test("create with a role the caller does not hold is forbidden and leaves no user behind", async () => {
  const before = await countAuditRows(database.db);
  const email = uniqueEmail("overreach");
  await expect(
    p.domainAdminA.caller.users.create({ email, name: "Over", password: TEST_PASSWORD, roleId: ADMIN_ROLE_ID, domainId: p.domainA.id }),
  ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/^You cannot grant permissions you do not hold in this domain: /) });
  await expect(
    p.domainAdminA.caller.users.invite({ email, name: "Over", roleId: OWNER_ROLE_ID, domainId: p.domainA.id }),
  ).rejects.toMatchObject({ code: "FORBIDDEN" });
  expect(await userRow(email)).toHaveLength(0);
  expect(await countAuditRows(database.db)).toBe(before);
});

test("a domain-admin cannot create a global account", async () => {
  const email = uniqueEmail("global");
  await expect(p.domainAdminA.caller.users.create({ email, name: "Global", password: TEST_PASSWORD })).rejects.toMatchObject({
    code: "FORBIDDEN",
    message: "You need the users:write permission globally; choose one of your domains instead.",
  });
  expect(await userRow(email)).toHaveLength(0);
});

test("create with an unknown role or domain is not found and writes nothing", async () => {
  const email = uniqueEmail("unknown");
  await expect(
    p.owner.caller.users.create({ email, name: "X", password: TEST_PASSWORD, roleId: "role_nonexistent" }),
  ).rejects.toMatchObject({ code: "NOT_FOUND", message: "Role not found." });
  await expect(
    p.owner.caller.users.create({ email, name: "X", password: TEST_PASSWORD, domainId: randomUUID() }),
  ).rejects.toMatchObject({ code: "NOT_FOUND", message: "Domain not found." });
  expect(await userRow(email)).toHaveLength(0);
});

test("malformed input is a bad request that names the field", async () => {
  const calls: (() => Promise<unknown>)[] = [
    () => p.owner.caller.users.get({ id: "" }),
    () => p.owner.caller.users.get({ id: "x".repeat(ID_MAX_LENGTH + 1) }),
    () => p.owner.caller.users.create({ email: "not-an-email", name: "X", password: TEST_PASSWORD }),
    () => p.owner.caller.users.create({ email: uniqueEmail(), name: "   ", password: TEST_PASSWORD }),
    () => p.owner.caller.users.update({ id: p.member.userId, name: "n".repeat(101) }),
    () => p.owner.caller.users.ban({ id: p.member.userId, reason: "r".repeat(501) }),
    () => p.owner.caller.users.list({ limit: 0 }),
    () => p.owner.caller.users.list({ limit: 101 }),
    () => p.owner.caller.users.list({ cursor: "not-a-cursor" }),
  ];
  for (const call of calls) await expect(call()).rejects.toMatchObject({ code: "BAD_REQUEST" });
});

// ---------------------------------------------------------------------------------------------
// Update and delete

test("update renames the user and audits the name before and after", async () => {
  const target = await userIn(p.domainA.id);
  await expect(p.domainAdminA.caller.users.update({ id: target.userId, name: "  New Name " })).resolves.toEqual({
    id: target.userId,
    email: target.email,
    name: "New Name",
  });
  expect((await userRow(target.email))[0]?.name).toBe("New Name");
  const [row] = (await auditRows(database.db, { action: "user.updated" })).filter((r) => r.targetId === target.userId);
  expect(row?.details).toEqual({ before: { name: "Test User" }, after: { name: "New Name" } });
});

test("delete removes the account with its sessions, credentials, roles, ban and invitation, and keeps its history", async () => {
  const target = await userIn(p.domainA.id);
  await ban(target.userId);
  await database.db.insert(session).values({
    id: randomUUID(),
    token: randomUUID(),
    userId: target.userId,
    expiresAt: new Date(Date.now() + 60_000),
    updatedAt: new Date(),
  });
  const pending = await invitee(p.domainA.id);

  await p.owner.caller.users.delete({ id: target.userId });
  await p.owner.caller.users.delete({ id: pending.userId });

  for (const id of [target.userId, pending.userId]) {
    expect(await database.db.select().from(user).where(eq(user.id, id))).toHaveLength(0);
    expect(await database.db.select().from(session).where(eq(session.userId, id))).toHaveLength(0);
    expect(await database.db.select().from(account).where(eq(account.userId, id))).toHaveLength(0);
    expect(await database.db.select().from(roleAssignment).where(eq(roleAssignment.userId, id))).toHaveLength(0);
    expect(await database.db.select().from(userBan).where(eq(userBan.userId, id))).toHaveLength(0);
    expect(await database.db.select().from(invitation).where(eq(invitation.userId, id))).toHaveLength(0);
  }
  expect(await isInvitationUsable(database.db, pending.token)).toBe(false);
  const history = (await database.db.select().from(auditEvent).where(eq(auditEvent.targetId, target.userId))).map((r) => r.action);
  expect(history).toContain("user.deleted");
  expect(history).toContain("auth.sign_up");
  const [deleted] = (await auditRows(database.db, { action: "user.deleted" })).filter((r) => r.targetId === target.userId);
  expect(deleted?.details).toEqual({ email: target.email, name: "Test User" });
  await expect(p.owner.caller.users.get({ id: target.userId })).rejects.toMatchObject({ code: "NOT_FOUND" });
});

// ---------------------------------------------------------------------------------------------
// Invitations

test("an invitation link sets the password once, leaves the email unverified and is audited as the invitee", async () => {
  const email = uniqueEmail("accept");
  const invited = await p.domainAdminA.caller.users.invite({ email, name: "Invited", domainId: p.domainA.id });
  expect(invited.inviteUrl).toMatch(/^http:\/\/localhost:3000\/invite\?token=[\w-]{43}$/);
  expect(invited.expiresAt.getTime() - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
  const token = tokenOf(invited.inviteUrl);

  const stored = await database.db.select().from(invitation).where(eq(invitation.userId, invited.id));
  expect(stored).toHaveLength(1);
  expect(stored[0]?.tokenHash).not.toContain(token);
  const [invitedAudit] = (await auditRows(database.db, { action: "user.invited" })).filter((r) => r.targetId === invited.id);
  expect(JSON.stringify(invitedAudit)).not.toContain(token);
  expect(await p.owner.caller.users.get({ id: invited.id })).toMatchObject({
    hasPassword: false,
    invitationPending: true,
    emailVerified: false,
  });
  await expect(authRequest(auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD } })).resolves.toHaveProperty("status", 401);

  await acceptInvitation({ db: database.db, auth }, token, { password: TEST_PASSWORD, name: "Chosen Name" });
  await expect(signIn(auth, email)).resolves.toHaveProperty("cookie");
  expect(await p.owner.caller.users.get({ id: invited.id })).toMatchObject({
    name: "Chosen Name",
    hasPassword: true,
    invitationPending: false,
    // The link went to the administrator, not to the mailbox.
    emailVerified: false,
  });
  const [accepted] = (await auditRows(database.db, { action: "user.invitation_accepted" })).filter((r) => r.targetId === invited.id);
  expect(accepted).toMatchObject({ actorUserId: invited.id, domainId: p.domainA.id });

  await expect(acceptInvitation({ db: database.db, auth }, token, { password: TEST_PASSWORD })).rejects.toMatchObject({
    code: "INVALID_INPUT",
    message: "This invitation link is invalid, used or expired. Ask an administrator for a new one.",
  });
  await expect(p.owner.caller.users.reinvite({ id: invited.id })).rejects.toMatchObject({
    code: "CONFLICT",
    message: `${email} has no pending invitation.`,
  });
});

test("reinvite replaces the link: the old one stops working and the new one works", async () => {
  const first = await invitee(p.domainA.id);
  const again = await p.domainAdminA.caller.users.reinvite({ id: first.userId });
  const newToken = tokenOf(again.inviteUrl);
  expect(newToken).not.toBe(first.token);
  expect(await isInvitationUsable(database.db, first.token)).toBe(false);
  expect(await isInvitationUsable(database.db, newToken)).toBe(true);
  await expect(acceptInvitation({ db: database.db, auth }, first.token, { password: TEST_PASSWORD })).rejects.toMatchObject({
    code: "INVALID_INPUT",
  });
  await expect(acceptInvitation({ db: database.db, auth }, newToken, { password: TEST_PASSWORD })).resolves.toMatchObject({
    userId: first.userId,
  });
});

test("reinvite of someone who was never invited is a conflict", async () => {
  const target = await userIn(p.domainA.id);
  await expect(p.owner.caller.users.reinvite({ id: target.userId })).rejects.toMatchObject({ code: "CONFLICT" });
});

// ---------------------------------------------------------------------------------------------
// List: keyset pagination, search and filters

async function collect(caller: Caller, input: Parameters<Caller["users"]["list"]>[0], between?: (page: number) => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let page = 0;
  do {
    const result = await caller.users.list({ ...input, cursor });
    ids.push(...result.items.map((item) => item.id));
    cursor = result.nextCursor ?? undefined;
    page += 1;
    if (cursor && between) await between(page);
  } while (cursor);
  return ids;
}

test("keyset pages stay correct while users are inserted between pages", async () => {
  const tenant = await createDomain(database.db);
  const original: { userId: string; email: string }[] = [];
  for (const letter of ["b", "d", "f", "h", "j", "l", "n"]) {
    const member = await signUp(auth, `${letter}-${randomUUID()}@keyset.test`);
    await grantRole(database.db, member.userId, MEMBER_ROLE_ID, tenant.id);
    original.push(member);
  }
  const inserted: string[] = [];
  const ids = await collect(p.owner.caller, { domainId: tenant.id, limit: 2 }, async (page) => {
    // One new row sorts before the cursor, one after it: neither may shift or repeat existing rows.
    for (const letter of [`a${page}`, `m${page}`]) {
      const added = await signUp(auth, `${letter}-${randomUUID()}@keyset.test`);
      await grantRole(database.db, added.userId, MEMBER_ROLE_ID, tenant.id);
      inserted.push(added.userId);
    }
  });
  expect(new Set(ids).size).toBe(ids.length);
  for (const { userId } of original) expect(ids).toContain(userId);
  const emails = (await database.db.select({ id: user.id, email: user.email }).from(user)).filter((row) => ids.includes(row.id));
  const order = ids.map((id) => emails.find((row) => row.id === id)!.email);
  expect(order).toEqual([...order].sort());
  expect(inserted.length).toBeGreaterThan(0);
});

test("search matches part of an email or a name, in any case", async () => {
  const marker = randomUUID().slice(0, 8);
  const byEmail = await signUp(auth, `findme-${marker}@search.test`);
  const byName = await userIn(null, "named");
  await database.db.update(user).set({ name: `Zed ${marker.toUpperCase()} Person` }).where(eq(user.id, byName.userId));
  const ids = (await p.owner.caller.users.list({ search: marker.toUpperCase() })).items.map((item) => item.id).sort();
  expect(ids).toEqual([byEmail.userId, byName.userId].sort());
  const none = await p.owner.caller.users.list({ search: `${marker}-nothing%_` });
  expect(none).toEqual({ items: [], nextCursor: null, total: 0 });
});

test("the role filter lists holders of the role in scopes the caller can see", async () => {
  const marker = randomUUID().slice(0, 8);
  const auditorInA = await userIn(p.domainA.id, `rolefilter-${marker}`);
  await grantRole(database.db, auditorInA.userId, AUDITOR_ROLE_ID, p.domainA.id);
  const auditorInB = await userIn(p.domainB.id, `rolefilter-${marker}`);
  await grantRole(database.db, auditorInB.userId, AUDITOR_ROLE_ID, p.domainB.id);
  const globalAuditor = await userIn(null, `rolefilter-${marker}`);
  await grantRole(database.db, globalAuditor.userId, AUDITOR_ROLE_ID, null);
  await userIn(p.domainA.id, `rolefilter-${marker}`);

  const ownerView = (await p.owner.caller.users.list({ search: marker, roleId: AUDITOR_ROLE_ID })).items.map((i) => i.id);
  expect(ownerView.sort()).toEqual([auditorInA.userId, auditorInB.userId, globalAuditor.userId].sort());
  const inDomainA = (await p.owner.caller.users.list({ search: marker, roleId: AUDITOR_ROLE_ID, domainId: p.domainA.id })).items;
  expect(inDomainA.map((i) => i.id)).toEqual([auditorInA.userId]);
  const domainAdminView = (await p.domainAdminA.caller.users.list({ search: marker, roleId: AUDITOR_ROLE_ID })).items;
  expect(domainAdminView.map((i) => i.id)).toEqual([auditorInA.userId]);
});

test("get reports unexpired sessions, MFA and the account's state in one answer", async () => {
  const target = await userIn(p.domainA.id);
  await signIn(auth, target.email);
  await database.db.insert(session).values({
    id: randomUUID(),
    token: randomUUID(),
    userId: target.userId,
    expiresAt: new Date(Date.now() - 1000),
    updatedAt: new Date(),
  });
  const detail = await p.auditor.caller.users.get({ id: target.userId });
  expect(detail).toMatchObject({
    id: target.userId,
    email: target.email,
    name: "Test User",
    image: null,
    sessionsCount: 2,
    mfa: { enrolled: false, methods: [] },
    banned: null,
    hasPassword: true,
    invitationPending: false,
    invitationExpiresAt: null,
  });
  expect(detail.createdAt).toBeInstanceOf(Date);
  expect(detail.roles.every((r) => typeof r.assignmentId === "string" && r.createdAt instanceof Date)).toBe(true);
});

test("the can flags say what the caller may do to each user, by the rules the mutations enforce", async () => {
  const inA = await userIn(p.domainA.id, "flags-a");
  const inBoth = await userIn(p.domainA.id, "flags-ab");
  await grantRole(database.db, inBoth.userId, MEMBER_ROLE_ID, p.domainB.id);

  const asDomainAdmin = await p.domainAdminA.caller.users.list({ domainId: p.domainA.id, limit: 100 });
  const flagsOf = (id: string) => asDomainAdmin.items.find((item) => item.id === id)?.can;
  expect(flagsOf(inA.userId)).toEqual({ update: true, reinvite: true, resendInvitation: true, ban: true, unban: true, resetMfa: true, delete: true });
  // An account that also lives in domain B is for a global administrator only.
  expect(flagsOf(inBoth.userId)).toEqual({ update: false, reinvite: false, resendInvitation: false, ban: false, unban: false, resetMfa: false, delete: false });

  // Nobody bans, deletes or resets their own account here; the only owner cannot be banned or deleted.
  const self = await p.owner.caller.users.get({ id: p.owner.userId });
  expect(self.can).toMatchObject({ update: true, ban: false, resetMfa: false, delete: false });
  expect(self.roles.every((assignment) => !assignment.can.unassign)).toBe(true);
  expect(self.assignable).toEqual([]);

  const asAuditor = await p.auditor.caller.users.get({ id: inA.userId });
  expect(Object.values(asAuditor.can).some(Boolean)).toBe(false);
});

test("users.options offers a domain-admin their own domain only, with the roles they may give there", async () => {
  const options = await p.domainAdminA.caller.users.options();
  expect(new Set(options.placements.map((placement) => placement.domainId))).toEqual(new Set([p.domainA.id]));
  const byRole = new Map(options.placements.map((placement) => [placement.roleId, placement.can.create]));
  expect(byRole.get(MEMBER_ROLE_ID)).toBe(true);
  expect(byRole.get(ADMIN_ROLE_ID)).toBe(false);
  expect(options.can).toEqual({ create: true, invite: true });

  const asAuditor = await p.auditor.caller.users.options();
  expect(asAuditor.placements).toEqual([]);
  expect(asAuditor.can).toEqual({ create: false, invite: false });
});

// ---------------------------------------------------------------------------------------------
// Invitation emails

async function outboxCount(email: string): Promise<number> {
  return database.db.$count(devOutboxMessage, eq(devOutboxMessage.to, email));
}

test("inviting emails the link to the invitee, and the emailed link is the one that works", async () => {
  const email = uniqueEmail("emailed");
  const invited = await p.domainAdminA.caller.users.invite({ email, name: "Emailed", domainId: p.domainA.id });
  expect(invited.emailed).toBe(true);
  const link = await outboxLink(database.db, email, "invited");
  expect(link.toString()).toBe(invited.inviteUrl);
  const [message] = await database.db.select().from(devOutboxMessage).where(eq(devOutboxMessage.to, email));
  expect(message?.text).toContain(p.domainAdminA.email);
  await acceptInvitation({ db: database.db, auth }, tokenOf(link.toString()), { password: TEST_PASSWORD });
  await expect(signIn(auth, email)).resolves.toHaveProperty("cookie");
});

test("resendInvitation emails a new link, the old one stops working, and neither the answer nor the audit holds it", async () => {
  const first = await invitee(p.domainA.id);
  const resent = await p.domainAdminA.caller.users.resendInvitation({ id: first.userId });
  expect(resent).toEqual({ id: first.userId, email: first.email, expiresAt: expect.any(Date), emailed: true });
  expect(JSON.stringify(resent)).not.toContain("token");

  const newToken = tokenOf((await outboxLink(database.db, first.email, "invited")).toString());
  expect(newToken).not.toBe(first.token);
  expect(await outboxCount(first.email)).toBe(2);
  expect(await isInvitationUsable(database.db, first.token)).toBe(false);
  expect(await isInvitationUsable(database.db, newToken)).toBe(true);
  const [event] = (await auditRows(database.db, { action: "user.invitation_resent" })).filter((row) => row.targetId === first.userId);
  expect(event).toMatchObject({ actorUserId: p.domainAdminA.userId, domainId: p.domainA.id });
  expect(JSON.stringify(event)).not.toContain(newToken);
});

test("resendInvitation refuses someone who already set a password, or was never invited, and sends nothing", async () => {
  const accepted = await invitee(p.domainA.id);
  await acceptInvitation({ db: database.db, auth }, accepted.token, { password: TEST_PASSWORD });
  const signedUp = await userIn(p.domainA.id, "never-invited");
  for (const target of [accepted, signedUp]) {
    const before = await outboxCount(target.email);
    const auditBefore = await countAuditRows(database.db);
    await expect(p.owner.caller.users.resendInvitation({ id: target.userId })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `${target.email} has no pending invitation: they have already set a password.`,
    });
    expect(await outboxCount(target.email)).toBe(before);
    expect(await countAuditRows(database.db)).toBe(auditBefore);
  }
});

test("a domain-admin cannot resend the invitation of someone invited outside their domains, and it stays as it was", async () => {
  const outside = await invitee(p.domainB.id);
  await expect(p.domainAdminA.caller.users.resendInvitation({ id: outside.userId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  expect(await isInvitationUsable(database.db, outside.token)).toBe(true);
  expect(await outboxCount(outside.email)).toBe(1);
});

test("when the email cannot be sent, the invitation still exists and the answer says it was not emailed", async () => {
  const failing = await createTestAuth(database.db, {
    sendEmail: async () => {
      throw new Error("SMTP is down");
    },
  });
  const caller = await callerAs({ db: database.db, auth: failing }, p.owner.cookie);
  const email = uniqueEmail("unsent");
  const quiet = console.error;
  console.error = () => undefined;
  try {
    const invited = await caller.users.invite({ email, name: "Unsent" });
    expect(invited.emailed).toBe(false);
    expect(await isInvitationUsable(database.db, tokenOf(invited.inviteUrl))).toBe(true);
    await expect(caller.users.resendInvitation({ id: invited.id })).resolves.toMatchObject({ emailed: false });
  } finally {
    console.error = quiet;
  }
});

test("the users list says who is still invited, until they set a password", async () => {
  const pending = await invitee(p.domainA.id);
  const member = await userIn(p.domainA.id, "not-invited");
  const rowOf = async (email: string) => (await p.domainAdminA.caller.users.list({ search: email })).items.find((row) => row.email === email);
  expect(await rowOf(pending.email)).toMatchObject({ invited: true, can: { resendInvitation: true } });
  expect(await p.owner.caller.users.get({ id: pending.userId })).toMatchObject({ invited: true });
  expect(await rowOf(member.email)).toMatchObject({ invited: false });
  await acceptInvitation({ db: database.db, auth }, pending.token, { password: TEST_PASSWORD });
  expect(await rowOf(pending.email)).toMatchObject({ invited: false });
  expect(await p.owner.caller.users.get({ id: pending.userId })).toMatchObject({ invited: false, hasPassword: true });
  // Permission only, like every flag: the auditor reads users and may not send them anything.
  expect((await p.auditor.caller.users.list({ search: member.email })).items[0]?.can.resendInvitation).toBe(false);
});
