import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { ADMIN_ROLE_ID, AUDITOR_ROLE_ID, DOMAIN_ADMIN_ROLE_ID, GUEST_ROLE_ID, MEMBER_ROLE_ID, OWNER_ROLE_ID, role, roleAssignment, rolePermission, userBan } from "@/db/schema";
import { ID_MAX_LENGTH } from "@/server/ids";
import { ROLE_DETAIL_ASSIGNMENT_LIMIT } from "./queries";
import { ALL_PERMISSIONS, BUILT_IN_ROLE_PERMISSIONS, type Permission } from "@/server/shared/permissions";
import { createSignedInOwner, createTestAuth, signUp, uniqueEmail } from "@/server/testing/auth";
import { auditRows, countAuditRows, createCustomRole, createPersona, createPersonaWith, createDomain, expectCellOutcome, expectRefused as expectRefusedIn, type Expected, grantRole, hasRole, type Caller, type Persona, matrixCaller, matrixCases, matrixDomain, READABLE_ANYWHERE, type PersonaName, personaTestBed } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { outcome, rejection, unique } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import { rolesRouter } from "./router";

const bed = personaTestBed();

const deps = () => bed.deps();

/** A custom role written directly, so tests of one procedure do not depend on another. */
const customRole = (permissions: Permission[], name?: string) => createCustomRole(bed.database.db, permissions, name);

/** A signed-up user (a global member, as every account is) who is also a member of `domainIds`. */
async function targetUser(domainIds: string[] = [], prefix = "target") {
  const { userId, email } = await signUp(bed.auth, uniqueEmail(prefix));
  for (const domainId of domainIds) await grantRole(bed.database.db, userId, MEMBER_ROLE_ID, domainId);
  return { userId, email };
}

/** A fresh user holding a custom role with exactly `permissions` in `domainId` (global when null). */
const personaWith = (permissions: Permission[], domainId: string | null = null): Promise<Persona> =>
  createPersonaWith(deps(), [{ permissions, domainId }]);

async function roleRow(id: string) {
  const [row] = await bed.database.db.select().from(role).where(eq(role.id, id));
  return row;
}

async function storedPermissions(roleId: string): Promise<string[]> {
  const rows = await bed.database.db.select().from(rolePermission).where(eq(rolePermission.roleId, roleId));
  return rows.map((row) => row.permission).sort();
}

async function assignmentsOf(roleId: string) {
  return bed.database.db.select().from(roleAssignment).where(eq(roleAssignment.roleId, roleId));
}

async function eventsFor(action: string, targetId: string) {
  return (await auditRows(bed.database.db, { action })).filter((row) => row.targetId === targetId);
}

/** Runs `call` and checks that it failed with `code` (and `message`) without writing an audit event. */
const expectRefused = (call: Promise<unknown>, code: string, message?: string | RegExp, db: TestDatabase["db"] = bed.database.db) =>
  expectRefusedIn(db, call, code, message);

// ---------------------------------------------------------------------------------------------
// Allow/deny matrix

const callerOf = (name: PersonaName): Caller => matrixCaller(bed.personas, name);

/** Assignments are made in the domain-admin's domain A or the foreign B; everyone else acts on A. */
const domainFor = (name: PersonaName): string => matrixDomain(bed.personas, name);

type Procedure = "list" | "get" | "create" | "update" | "delete" | "assign" | "unassign";

const READ = READABLE_ANYWHERE;

// Roles are global definitions: writing them needs the permission globally, which a domain-admin never has.
const WRITE_DEFINITION: Record<PersonaName, Expected> = {
  owner: "ok",
  admin: "ok",
  domainAdminOnA: "FORBIDDEN",
  domainAdminOnB: "FORBIDDEN",
  auditor: "FORBIDDEN",
  member: "FORBIDDEN",
  anonymous: "UNAUTHORIZED",
};

const ASSIGNMENT: Record<PersonaName, Expected> = {
  owner: "ok",
  admin: "ok",
  domainAdminOnA: "ok",
  domainAdminOnB: "NOT_FOUND",
  auditor: "FORBIDDEN",
  member: "FORBIDDEN",
  anonymous: "UNAUTHORIZED",
};

const MATRIX: Record<Procedure, Record<PersonaName, Expected>> = {
  list: READ,
  get: READ,
  create: WRITE_DEFINITION,
  update: WRITE_DEFINITION,
  delete: WRITE_DEFINITION,
  assign: ASSIGNMENT,
  unassign: ASSIGNMENT,
};

const MUTATIONS = new Set<Procedure>(["create", "update", "delete", "assign", "unassign"]);

/** Creates what the call acts on, so that the audit count around the call sees only the call itself. */
async function prepare(procedure: Procedure, persona: PersonaName): Promise<() => Promise<unknown>> {
  const caller = callerOf(persona);
  switch (procedure) {
    case "list":
      return () => caller.roles.list();
    case "get":
      return () => caller.roles.get({ id: DOMAIN_ADMIN_ROLE_ID });
    case "create":
      return () => caller.roles.create({ name: unique("Matrix"), permissions: ["users:read"] });
    case "update": {
      const { id } = await customRole(["users:read"]);
      return () => caller.roles.update({ id, description: "Changed by the matrix." });
    }
    case "delete": {
      const { id } = await customRole(["users:read"]);
      return () => caller.roles.delete({ id });
    }
    case "assign": {
      const target = await targetUser([bed.personas.domainA.id, bed.personas.domainB.id]);
      return () => caller.roles.assign({ userId: target.userId, roleId: DOMAIN_ADMIN_ROLE_ID, domainId: domainFor(persona) });
    }
    case "unassign": {
      const target = await targetUser([bed.personas.domainA.id, bed.personas.domainB.id]);
      await grantRole(bed.database.db, target.userId, DOMAIN_ADMIN_ROLE_ID, domainFor(persona));
      return () => caller.roles.unassign({ userId: target.userId, roleId: DOMAIN_ADMIN_ROLE_ID, domainId: domainFor(persona) });
    }
  }
}

const MATRIX_CASES = matrixCases(MATRIX);

test.each(MATRIX_CASES)("roles.%s as %s is %s", async (procedure, persona, expected) => {
  await expectCellOutcome(bed.database.db, await prepare(procedure, persona), expected, MUTATIONS.has(procedure));
});

test("every roles procedure declares a description and the permissions it needs", () => {
  for (const [name, procedure] of Object.entries(rolesRouter._def.procedures)) {
    const meta = (procedure as { _def: { meta?: { description?: string; access?: { kind: string } } } })._def.meta;
    expect(meta?.description, name).toMatch(/\S.*\.$/);
    expect(meta?.access?.kind, name).toBe("permissions");
  }
});

// ---------------------------------------------------------------------------------------------
// list

test("list puts built-in roles first, then custom ones by name, with permissions in vocabulary order", async () => {
  const later = await customRole(["audit:read", "users:read"], unique("zz-List"));
  const earlier = await customRole([], unique("AA-List"));
  const roles = await bed.personas.owner.caller.roles.list();

  const builtIns = roles.filter((item) => item.builtIn);
  expect(builtIns.map((item) => item.name)).toEqual(["admin", "auditor", "domain-admin", "guest", "member", "owner"]);
  expect(roles.slice(0, builtIns.length)).toEqual(builtIns);
  const customNames = roles.filter((item) => !item.builtIn).map((item) => item.name);
  expect(customNames).toEqual([...customNames].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  expect(customNames.indexOf(earlier.name)).toBeLessThan(customNames.indexOf(later.name));

  expect(roles.find((item) => item.id === later.id)).toEqual({
    id: later.id,
    name: later.name,
    description: "",
    builtIn: false,
    requiresMfa: false,
    permissions: ["users:read", "audit:read"],
    assignmentCount: 0,
    createdAt: expect.any(Date),
    updatedAt: expect.any(Date),
    can: { edit: true, delete: true },
  });
  expect(roles.find((item) => item.id === OWNER_ROLE_ID)?.permissions).toEqual(ALL_PERMISSIONS);
  expect(roles.find((item) => item.id === DOMAIN_ADMIN_ROLE_ID)?.permissions).toEqual(
    BUILT_IN_ROLE_PERMISSIONS[DOMAIN_ADMIN_ROLE_ID],
  );
});

test("list search matches name or description case-insensitively, and wildcards literally", async () => {
  const stem = unique("Findme");
  const byName = await customRole([], `${stem}-by-name`);
  const byDescription = await customRole([]);
  await bed.database.db.update(role).set({ description: `Mentions ${stem.toUpperCase()} here` }).where(eq(role.id, byDescription.id));

  const found = await bed.personas.owner.caller.roles.list({ search: stem.toLowerCase() });
  expect(found.map((item) => item.id).sort()).toEqual([byName.id, byDescription.id].sort());
  expect(await bed.personas.owner.caller.roles.list({ search: "%" })).toEqual([]);
  expect((await bed.personas.owner.caller.roles.list({ search: "   " })).length).toBeGreaterThanOrEqual(6);
});

test("list counts only the assignments in scopes where the caller reads roles", async () => {
  const counted = await customRole([]);
  const globalHolder = await targetUser();
  const holderInA = await targetUser();
  const holderInB = await targetUser();
  await grantRole(bed.database.db, globalHolder.userId, counted.id, null);
  await grantRole(bed.database.db, holderInA.userId, counted.id, bed.personas.domainA.id);
  await grantRole(bed.database.db, holderInB.userId, counted.id, bed.personas.domainB.id);
  const readerOfAAndB = await personaWith(["roles:read"], bed.personas.domainB.id);
  await grantRole(bed.database.db, readerOfAAndB.userId, (await customRole(["roles:read"])).id, bed.personas.domainA.id);

  const countFor = async (caller: Caller) =>
    (await caller.roles.list()).find((item) => item.id === counted.id)?.assignmentCount;
  expect(await countFor(bed.personas.owner.caller)).toBe(3);
  expect(await countFor(bed.personas.auditor.caller)).toBe(3);
  expect(await countFor(bed.personas.domainAdminA.caller)).toBe(1);
  expect(await countFor(readerOfAAndB.caller)).toBe(2);
});

// ---------------------------------------------------------------------------------------------
// get

test("get returns the role with its assignments, users and domain names", async () => {
  const shown = await customRole(["clients:read"]);
  const holder = await targetUser();
  await grantRole(bed.database.db, holder.userId, shown.id, null);
  await grantRole(bed.database.db, holder.userId, shown.id, bed.personas.domainA.id);

  const detail = await bed.personas.owner.caller.roles.get({ id: shown.id });
  expect(detail).toEqual({
    id: shown.id,
    name: shown.name,
    description: "",
    builtIn: false,
    requiresMfa: false,
    permissions: ["clients:read"],
    createdAt: expect.any(Date),
    updatedAt: expect.any(Date),
    assignments: [
      {
        id: expect.any(String),
        userId: holder.userId,
        userEmail: holder.email,
        userName: "Test User",
        roleId: shown.id,
        domainId: null,
        domainName: null,
        createdAt: expect.any(Date),
        can: { unassign: true },
      },
      {
        id: expect.any(String),
        userId: holder.userId,
        userEmail: holder.email,
        userName: "Test User",
        roleId: shown.id,
        domainId: bed.personas.domainA.id,
        domainName: "Domain A",
        createdAt: expect.any(Date),
        can: { unassign: true },
      },
    ],
    assignmentCount: 2,
    can: { edit: true, delete: true },
    permissionOptions: ALL_PERMISSIONS.map((permission) => ({ permission, grantable: true })),
    holdersOnUsersPage: true,
  });
});

test("get lists the first hundred holders of a widely held role and counts them all", async () => {
  const everyone = await bed.personas.owner.caller.roles.get({ id: MEMBER_ROLE_ID });
  const total = await bed.database.db.$count(roleAssignment, eq(roleAssignment.roleId, MEMBER_ROLE_ID));
  expect(everyone.assignmentCount).toBe(total);
  expect(everyone.assignments).toHaveLength(Math.min(total, ROLE_DETAIL_ASSIGNMENT_LIMIT));

  const many = await customRole([]);
  for (let index = 0; index <= ROLE_DETAIL_ASSIGNMENT_LIMIT; index += 1) {
    const holder = await createDomain(bed.database.db);
    await grantRole(bed.database.db, bed.personas.member.userId, many.id, holder.id);
  }
  const detail = await bed.personas.owner.caller.roles.get({ id: many.id });
  expect(detail.assignmentCount).toBe(ROLE_DETAIL_ASSIGNMENT_LIMIT + 1);
  expect(detail.assignments).toHaveLength(ROLE_DETAIL_ASSIGNMENT_LIMIT);
});

test("a domain-scoped reader sees only the assignments in their domains, never global ones", async () => {
  const shown = await customRole([]);
  const holder = await targetUser();
  await grantRole(bed.database.db, holder.userId, shown.id, null);
  await grantRole(bed.database.db, holder.userId, shown.id, bed.personas.domainA.id);
  await grantRole(bed.database.db, holder.userId, shown.id, bed.personas.domainB.id);

  const detail = await bed.personas.domainAdminA.caller.roles.get({ id: shown.id });
  expect(detail.assignments.map((assignment) => assignment.domainId)).toEqual([bed.personas.domainA.id]);
  const everything = await bed.personas.auditor.caller.roles.get({ id: shown.id });
  expect(everything.assignments).toHaveLength(3);
});

test("get of an unknown role is NOT_FOUND, and a malformed id is BAD_REQUEST", async () => {
  const error = await rejection(bed.personas.owner.caller.roles.get({ id: "role_does_not_exist" }));
  expect(error).toMatchObject({ code: "NOT_FOUND", message: "Role not found." });
  expect(await outcome(bed.personas.owner.caller.roles.get({ id: "" }))).toBe("BAD_REQUEST");
  expect(await outcome(bed.personas.owner.caller.roles.get({ id: "x".repeat(ID_MAX_LENGTH + 1) }))).toBe("BAD_REQUEST");
});

// ---------------------------------------------------------------------------------------------
// create

test("create stores a trimmed name and deduplicated permissions, and writes one role.created event", async () => {
  const name = unique("Support desk");
  const created = await bed.personas.admin.caller.roles.create({
    name: `  ${name}  `,
    description: "  Answers tickets  ",
    permissions: ["tokens:read", "users:read", "tokens:read"],
  });
  expect(created).toEqual({
    id: expect.stringMatching(/^role_.+/),
    name,
    description: "Answers tickets",
    builtIn: false,
    requiresMfa: false,
    permissions: ["users:read", "tokens:read"],
    createdAt: expect.any(Date),
    updatedAt: expect.any(Date),
  });
  expect(await storedPermissions(created.id)).toEqual(["tokens:read", "users:read"]);

  const events = await eventsFor("role.created", created.id);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actorUserId: bed.personas.admin.userId,
    actorVia: "web",
    targetType: "role",
    targetId: created.id,
    domainId: null,
    details: { name, permissions: ["users:read", "tokens:read"] },
  });
});

test("create accepts an empty permission list", async () => {
  const created = await bed.personas.owner.caller.roles.create({ name: unique("Empty"), permissions: [] });
  expect(created.permissions).toEqual([]);
  expect(await storedPermissions(created.id)).toEqual([]);
});

test("an admin cannot create a role with settings:admin, which only owners hold", async () => {
  const rolesBefore = await bed.database.db.$count(role);
  await expectRefused(
    bed.personas.admin.caller.roles.create({ name: unique("Sneaky"), permissions: ["users:read", "settings:admin"] }),
    "FORBIDDEN",
    "You cannot grant permissions you do not hold globally: settings:admin.",
  );
  expect(await bed.database.db.$count(role)).toBe(rolesBefore);
  const byOwner = await bed.personas.owner.caller.roles.create({ name: unique("Settings"), permissions: ["settings:admin"] });
  expect(byOwner.permissions).toEqual(["settings:admin"]);
});

test("an invalid permission string is BAD_REQUEST naming it, and nothing is written", async () => {
  const rolesBefore = await bed.database.db.$count(role);
  const permissionsBefore = await bed.database.db.$count(rolePermission);
  const error = await expectRefused(
    bed.personas.owner.caller.roles.create({
      name: unique("Typo"),
      permissions: ["users:read", "users:fly"] as unknown as Permission[],
    }),
    "BAD_REQUEST",
  );
  expect(error.message).toContain("“users:fly” is not a permission");
  expect(await bed.database.db.$count(role)).toBe(rolesBefore);
  expect(await bed.database.db.$count(rolePermission)).toBe(permissionsBefore);
});

test("a role name that differs only in case from an existing one is a CONFLICT", async () => {
  const name = unique("Billing");
  await bed.personas.owner.caller.roles.create({ name, permissions: [] });
  const rolesBefore = await bed.database.db.$count(role);
  await expectRefused(
    bed.personas.owner.caller.roles.create({ name: name.toUpperCase(), permissions: [] }),
    "CONFLICT",
    `A role named “${name}” already exists.`,
  );
  await expectRefused(
    bed.personas.owner.caller.roles.create({ name: "OWNER", permissions: [] }),
    "CONFLICT",
    "A role named “owner” already exists.",
  );
  expect(await bed.database.db.$count(role)).toBe(rolesBefore);
});

test.each([
  ["too short", "x"],
  ["too long", "x".repeat(65)],
  ["blank after trimming", "    "],
  ["a character outside letters, digits, spaces, - and _", "Ops/Team"],
  ["an accented letter", "Équipe"],
])("a role name that is %s is BAD_REQUEST", async (_case, name) => {
  const rolesBefore = await bed.database.db.$count(role);
  await expectRefused(bed.personas.owner.caller.roles.create({ name, permissions: [] }), "BAD_REQUEST");
  expect(await bed.database.db.$count(role)).toBe(rolesBefore);
});

// ---------------------------------------------------------------------------------------------
// update

test("update renames a custom role and replaces its permissions, auditing only the changed fields", async () => {
  const edited = await customRole(["users:read", "clients:read"]);
  const before = await roleRow(edited.id);
  const newName = unique("Renamed");
  const updated = await bed.personas.admin.caller.roles.update({
    id: edited.id,
    name: newName,
    description: "",
    permissions: ["clients:read", "audit:read"],
  });
  expect(updated).toMatchObject({ id: edited.id, name: newName, description: "", permissions: ["clients:read", "audit:read"] });
  expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());
  expect(await storedPermissions(edited.id)).toEqual(["audit:read", "clients:read"]);

  const events = await eventsFor("role.updated", edited.id);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actorUserId: bed.personas.admin.userId,
    targetType: "role",
    domainId: null,
    details: {
      before: { name: edited.name, permissions: ["users:read", "clients:read"] },
      after: { name: newName, permissions: ["clients:read", "audit:read"] },
    },
  });
});

test("an update that changes nothing succeeds, writes nothing and returns the role unchanged", async () => {
  const kept = await customRole(["users:read"]);
  const before = await roleRow(kept.id);
  const eventsBefore = await countAuditRows(bed.database.db);
  const result = await bed.personas.owner.caller.roles.update({
    id: kept.id,
    name: kept.name,
    description: "",
    permissions: ["users:read", "users:read"],
  });
  expect(result).toMatchObject({ id: kept.id, name: kept.name, permissions: ["users:read"] });
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
  expect((await roleRow(kept.id))?.updatedAt).toEqual(before?.updatedAt);
});

test("built-in roles take a new description but cannot be renamed or have their permissions changed", async () => {
  const original = (await roleRow(GUEST_ROLE_ID))!;
  const builtInMessage = "Built-in roles cannot be renamed or have their permissions changed.";
  await expectRefused(bed.personas.owner.caller.roles.update({ id: GUEST_ROLE_ID, name: "visitor" }), "FORBIDDEN", builtInMessage);
  await expectRefused(
    bed.personas.owner.caller.roles.update({ id: GUEST_ROLE_ID, permissions: ["users:read"] }),
    "FORBIDDEN",
    builtInMessage,
  );
  await expectRefused(
    bed.personas.owner.caller.roles.update({ id: GUEST_ROLE_ID, description: "Changed", permissions: ["users:read"] }),
    "FORBIDDEN",
    builtInMessage,
  );
  expect(await roleRow(GUEST_ROLE_ID)).toEqual(original);
  expect(await storedPermissions(GUEST_ROLE_ID)).toEqual([]);

  const updated = await bed.personas.owner.caller.roles.update({ id: GUEST_ROLE_ID, name: "guest", description: "Signed in, nothing more." });
  expect(updated).toMatchObject({ name: "guest", description: "Signed in, nothing more.", builtIn: true, permissions: [] });
  expect(await eventsFor("role.updated", GUEST_ROLE_ID)).toHaveLength(1);
  await bed.personas.owner.caller.roles.update({ id: GUEST_ROLE_ID, description: original.description });
});

test("changing permissions needs every old and new permission globally", async () => {
  const ownerOnly = await customRole(["users:read", "settings:admin"]);
  await expectRefused(
    bed.personas.admin.caller.roles.update({ id: ownerOnly.id, permissions: ["users:read"] }),
    "FORBIDDEN",
    "You cannot change permissions you do not hold globally: settings:admin.",
  );
  const plain = await customRole(["users:read"]);
  await expectRefused(
    bed.personas.admin.caller.roles.update({ id: plain.id, permissions: ["users:read", "settings:admin"] }),
    "FORBIDDEN",
    "You cannot change permissions you do not hold globally: settings:admin.",
  );
  expect(await storedPermissions(ownerOnly.id)).toEqual(["settings:admin", "users:read"]);
  expect(await storedPermissions(plain.id)).toEqual(["users:read"]);
  // A description change does not touch permissions, so it needs none of them.
  await bed.personas.admin.caller.roles.update({ id: ownerOnly.id, description: "Owner-made" });
});

test("renaming to another role's name in any case is a CONFLICT; changing one's own case is fine", async () => {
  const first = await customRole([]);
  const second = await customRole([]);
  await expectRefused(
    bed.personas.owner.caller.roles.update({ id: second.id, name: first.name.toLowerCase() }),
    "CONFLICT",
    `A role named “${first.name}” already exists.`,
  );
  const recased = await bed.personas.owner.caller.roles.update({ id: first.id, name: first.name.toUpperCase() });
  expect(recased.name).toBe(first.name.toUpperCase());
});

test("update of an unknown role is NOT_FOUND", async () => {
  await expectRefused(bed.personas.owner.caller.roles.update({ id: "role_missing", description: "x" }), "NOT_FOUND", "Role not found.");
});

test("roles:write held only in a domain does not allow changing global role definitions", async () => {
  const scoped = await personaWith(["roles:read", "roles:write", "roles:delete"], bed.personas.domainA.id);
  await expectRefused(
    scoped.caller.roles.create({ name: unique("Scoped"), permissions: [] }),
    "FORBIDDEN",
    "You need the roles:write permission globally.",
  );
  const target = await customRole([]);
  await expectRefused(scoped.caller.roles.update({ id: target.id, description: "x" }), "FORBIDDEN");
  await expectRefused(scoped.caller.roles.delete({ id: target.id }), "FORBIDDEN", "You need the roles:delete permission globally.");
});

// ---------------------------------------------------------------------------------------------
// delete

test("delete removes an unassigned custom role with its permissions and writes one role.deleted event", async () => {
  const doomed = await customRole(["users:read"]);
  expect(await bed.personas.admin.caller.roles.delete({ id: doomed.id })).toEqual({
    id: doomed.id,
    reassignedTo: null,
    movedAssignments: 0,
    skippedAssignments: 0,
  });
  expect(await roleRow(doomed.id)).toBeUndefined();
  expect(await storedPermissions(doomed.id)).toEqual([]);
  const events = await eventsFor("role.deleted", doomed.id);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actorUserId: bed.personas.admin.userId,
    targetType: "role",
    details: { name: doomed.name, reassignedTo: null, movedAssignments: 0 },
  });
});

test("built-in roles cannot be deleted", async () => {
  for (const id of [OWNER_ROLE_ID, ADMIN_ROLE_ID, GUEST_ROLE_ID]) {
    await expectRefused(bed.personas.owner.caller.roles.delete({ id }), "FORBIDDEN", "Built-in roles cannot be deleted.");
    expect(await roleRow(id)).toBeDefined();
  }
});

test("delete of an assigned role without reassignTo is a CONFLICT that changes nothing", async () => {
  const busy = await customRole(["users:read"]);
  const first = await targetUser();
  const second = await targetUser();
  await grantRole(bed.database.db, first.userId, busy.id, null);
  await grantRole(bed.database.db, second.userId, busy.id, bed.personas.domainA.id);
  await expectRefused(
    bed.personas.owner.caller.roles.delete({ id: busy.id }),
    "CONFLICT",
    `Role “${busy.name}” is assigned 2 times. Reassign those users to another role first.`,
  );
  expect(await roleRow(busy.id)).toBeDefined();
  expect(await assignmentsOf(busy.id)).toHaveLength(2);
});

test("delete with reassignTo moves the assignments, skips those that would be duplicates, and audits once", async () => {
  const old = await customRole(["users:read"]);
  const replacement = await customRole(["users:read", "clients:read"]);
  const movedGlobal = await targetUser();
  const movedInA = await targetUser();
  const alreadyHolds = await targetUser();
  await grantRole(bed.database.db, movedGlobal.userId, old.id, null);
  await grantRole(bed.database.db, movedInA.userId, old.id, bed.personas.domainA.id);
  await grantRole(bed.database.db, alreadyHolds.userId, old.id, bed.personas.domainB.id);
  await grantRole(bed.database.db, alreadyHolds.userId, replacement.id, bed.personas.domainB.id);
  // Same user and role but another scope: not a duplicate, so it moves.
  await grantRole(bed.database.db, alreadyHolds.userId, old.id, null);

  const eventsBefore = await countAuditRows(bed.database.db);
  const result = await bed.personas.admin.caller.roles.delete({ id: old.id, reassignTo: replacement.id });
  expect(result).toEqual({ id: old.id, reassignedTo: replacement.id, movedAssignments: 3, skippedAssignments: 1 });
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore + 1);

  expect(await roleRow(old.id)).toBeUndefined();
  expect(await assignmentsOf(old.id)).toEqual([]);
  expect(await hasRole(bed.database.db, movedGlobal.userId, replacement.id, null)).toBe(true);
  expect(await hasRole(bed.database.db, movedInA.userId, replacement.id, bed.personas.domainA.id)).toBe(true);
  expect(await hasRole(bed.database.db, alreadyHolds.userId, replacement.id, bed.personas.domainB.id)).toBe(true);
  expect(await hasRole(bed.database.db, alreadyHolds.userId, replacement.id, null)).toBe(true);
  expect(await assignmentsOf(replacement.id)).toHaveLength(4);

  const [event] = await eventsFor("role.deleted", old.id);
  expect(event?.details).toEqual({ name: old.name, reassignedTo: replacement.id, movedAssignments: 3 });
});

test("reassignTo must be another existing role, and the owner role only takes global assignments", async () => {
  const old = await customRole([]);
  const holder = await targetUser();
  await grantRole(bed.database.db, holder.userId, old.id, bed.personas.domainA.id);
  await expectRefused(bed.personas.owner.caller.roles.delete({ id: old.id, reassignTo: old.id }), "BAD_REQUEST");
  await expectRefused(
    bed.personas.owner.caller.roles.delete({ id: old.id, reassignTo: "role_missing" }),
    "NOT_FOUND",
    "The role to reassign to was not found.",
  );
  await expectRefused(
    bed.personas.owner.caller.roles.delete({ id: old.id, reassignTo: OWNER_ROLE_ID }),
    "BAD_REQUEST",
    "The owner role can only be held globally.",
  );
  expect(await roleRow(old.id)).toBeDefined();
  expect(await assignmentsOf(old.id)).toHaveLength(1);
});

test("an admin cannot delete a role by reassigning its holders to owner, nor delete a role with permissions they lack", async () => {
  const old = await customRole([]);
  const holder = await targetUser();
  await grantRole(bed.database.db, holder.userId, old.id, null);
  await expectRefused(
    bed.personas.admin.caller.roles.delete({ id: old.id, reassignTo: OWNER_ROLE_ID }),
    "FORBIDDEN",
    "You cannot grant permissions you do not hold globally: settings:admin.",
  );
  expect(await hasRole(bed.database.db, holder.userId, OWNER_ROLE_ID, null)).toBe(false);

  const ownerMade = await customRole(["settings:admin"]);
  await expectRefused(
    bed.personas.admin.caller.roles.delete({ id: ownerMade.id }),
    "FORBIDDEN",
    "You cannot remove permissions you do not hold globally: settings:admin.",
  );
  expect(await roleRow(ownerMade.id)).toBeDefined();
});

test("delete of an unknown role is NOT_FOUND", async () => {
  await expectRefused(bed.personas.owner.caller.roles.delete({ id: "role_missing" }), "NOT_FOUND", "Role not found.");
});

// ---------------------------------------------------------------------------------------------
// assign

test("assign gives the role in the scope, returns the assignment and writes one role.assigned event", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  const assignment = await bed.personas.domainAdminA.caller.roles.assign({
    userId: target.userId,
    roleId: DOMAIN_ADMIN_ROLE_ID,
    domainId: bed.personas.domainA.id,
  });
  expect(assignment).toEqual({
    id: expect.any(String),
    userId: target.userId,
    roleId: DOMAIN_ADMIN_ROLE_ID,
    domainId: bed.personas.domainA.id,
    createdAt: expect.any(Date),
  });
  expect(await hasRole(bed.database.db, target.userId, DOMAIN_ADMIN_ROLE_ID, bed.personas.domainA.id)).toBe(true);

  const events = await eventsFor("role.assigned", target.userId);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actorUserId: bed.personas.domainAdminA.userId,
    targetType: "user",
    targetId: target.userId,
    domainId: bed.personas.domainA.id,
    details: { roleId: DOMAIN_ADMIN_ROLE_ID, roleName: "domain-admin" },
  });
});

test("a domain-admin assigns member and domain-admin inside A, but not globally and not in B", async () => {
  const target = await targetUser([bed.personas.domainA.id, bed.personas.domainB.id]);
  const caller = bed.personas.domainAdminA.caller;
  const other = await targetUser([bed.personas.domainA.id]);
  await caller.roles.assign({ userId: other.userId, roleId: DOMAIN_ADMIN_ROLE_ID, domainId: bed.personas.domainA.id });
  const fresh = await targetUser();
  await grantRole(bed.database.db, fresh.userId, GUEST_ROLE_ID, bed.personas.domainA.id);
  await caller.roles.assign({ userId: fresh.userId, roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainA.id });
  expect(await hasRole(bed.database.db, fresh.userId, MEMBER_ROLE_ID, bed.personas.domainA.id)).toBe(true);

  await expectRefused(
    caller.roles.assign({ userId: target.userId, roleId: DOMAIN_ADMIN_ROLE_ID, domainId: null }),
    "FORBIDDEN",
    "You need the roles:admin permission globally.",
  );
  await expectRefused(
    caller.roles.assign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainB.id }),
    "NOT_FOUND",
    "Domain not found.",
  );
  expect(await hasRole(bed.database.db, target.userId, DOMAIN_ADMIN_ROLE_ID, null)).toBe(false);
});

test("a domain-admin cannot assign a role holding permissions they lack, such as auditor's settings:read", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  await expectRefused(
    bed.personas.domainAdminA.caller.roles.assign({ userId: target.userId, roleId: AUDITOR_ROLE_ID, domainId: bed.personas.domainA.id }),
    "FORBIDDEN",
    /You cannot grant permissions you do not hold in this domain: .*settings:read/,
  );
});

test("an admin cannot assign the owner role; an owner can", async () => {
  const target = await targetUser();
  await expectRefused(
    bed.personas.admin.caller.roles.assign({ userId: target.userId, roleId: OWNER_ROLE_ID, domainId: null }),
    "FORBIDDEN",
    "You cannot grant permissions you do not hold globally: settings:admin.",
  );
  expect(await hasRole(bed.database.db, target.userId, OWNER_ROLE_ID, null)).toBe(false);
  await bed.personas.owner.caller.roles.assign({ userId: target.userId, roleId: OWNER_ROLE_ID, domainId: null });
  expect(await hasRole(bed.database.db, target.userId, OWNER_ROLE_ID, null)).toBe(true);
});

test("the owner role can only be assigned globally", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  await expectRefused(
    bed.personas.owner.caller.roles.assign({ userId: target.userId, roleId: OWNER_ROLE_ID, domainId: bed.personas.domainA.id }),
    "BAD_REQUEST",
    "The owner role can only be held globally.",
  );
});

test("nobody assigns or unassigns roles for themselves, whatever they hold", async () => {
  const cases: [Persona, string | null][] = [
    [bed.personas.owner, null],
    [bed.personas.admin, null],
    [bed.personas.domainAdminA, bed.personas.domainA.id],
  ];
  for (const [persona, domainId] of cases) {
    await expectRefused(
      persona.caller.roles.assign({ userId: persona.userId, roleId: AUDITOR_ROLE_ID, domainId }),
      "FORBIDDEN",
      "You cannot change your own roles.",
    );
    await expectRefused(
      persona.caller.roles.unassign({ userId: persona.userId, roleId: MEMBER_ROLE_ID, domainId }),
      "FORBIDDEN",
      "You cannot change your own roles.",
    );
  }
  await expectRefused(
    bed.personas.domainAdminA.caller.roles.unassign({
      userId: bed.personas.domainAdminA.userId,
      roleId: DOMAIN_ADMIN_ROLE_ID,
      domainId: bed.personas.domainA.id,
    }),
    "FORBIDDEN",
    "You cannot change your own roles.",
  );
  expect(await hasRole(bed.database.db, bed.personas.domainAdminA.userId, DOMAIN_ADMIN_ROLE_ID, bed.personas.domainA.id)).toBe(true);
  expect(await hasRole(bed.database.db, bed.personas.owner.userId, OWNER_ROLE_ID, null)).toBe(true);
});

test("assign refuses unknown domains, roles and users, and users the caller cannot see", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  await expectRefused(
    bed.personas.owner.caller.roles.assign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: "domain-missing" }),
    "NOT_FOUND",
    "Domain not found.",
  );
  await expectRefused(
    bed.personas.owner.caller.roles.assign({ userId: target.userId, roleId: "role_missing", domainId: null }),
    "NOT_FOUND",
    "Role not found.",
  );
  await expectRefused(
    bed.personas.owner.caller.roles.assign({ userId: "user-missing", roleId: AUDITOR_ROLE_ID, domainId: null }),
    "NOT_FOUND",
    "User not found.",
  );
  const onlyInB = await targetUser([bed.personas.domainB.id]);
  await expectRefused(
    bed.personas.domainAdminA.caller.roles.assign({ userId: onlyInB.userId, roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainA.id }),
    "NOT_FOUND",
    "User not found.",
  );
  expect(await hasRole(bed.database.db, onlyInB.userId, MEMBER_ROLE_ID, bed.personas.domainA.id)).toBe(false);
});

test("assigning a role the user already has in that scope is a CONFLICT naming the scope", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  await expectRefused(
    bed.personas.owner.caller.roles.assign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainA.id }),
    "CONFLICT",
    `${target.email} already has the role “member” in Domain A.`,
  );
  await expectRefused(
    bed.personas.owner.caller.roles.assign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: null }),
    "CONFLICT",
    `${target.email} already has the role “member” in all domains.`,
  );
});

test("a grant takes effect on the next request, and so does its removal", async () => {
  const grantee = await createPersona(deps(), null, null, "grantee");
  expect(await outcome(grantee.caller.roles.list())).toBe("FORBIDDEN");

  await bed.personas.owner.caller.roles.assign({ userId: grantee.userId, roleId: AUDITOR_ROLE_ID, domainId: null });
  const afterGrant = await callerAs(deps(), grantee.cookie);
  expect(await outcome(afterGrant.roles.list())).toBe("ok");

  await bed.personas.owner.caller.roles.unassign({ userId: grantee.userId, roleId: AUDITOR_ROLE_ID, domainId: null });
  const afterRemoval = await callerAs(deps(), grantee.cookie);
  expect(await outcome(afterRemoval.roles.list())).toBe("FORBIDDEN");
});

// ---------------------------------------------------------------------------------------------
// unassign

test("unassign removes the assignment and writes one role.unassigned event", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  await grantRole(bed.database.db, target.userId, DOMAIN_ADMIN_ROLE_ID, bed.personas.domainA.id);
  const removed = await bed.personas.domainAdminA.caller.roles.unassign({
    userId: target.userId,
    roleId: DOMAIN_ADMIN_ROLE_ID,
    domainId: bed.personas.domainA.id,
  });
  expect(removed).toEqual({
    id: expect.any(String),
    userId: target.userId,
    roleId: DOMAIN_ADMIN_ROLE_ID,
    domainId: bed.personas.domainA.id,
  });
  expect(await hasRole(bed.database.db, target.userId, DOMAIN_ADMIN_ROLE_ID, bed.personas.domainA.id)).toBe(false);
  const events = await eventsFor("role.unassigned", target.userId);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actorUserId: bed.personas.domainAdminA.userId,
    targetType: "user",
    domainId: bed.personas.domainA.id,
    details: { roleId: DOMAIN_ADMIN_ROLE_ID, roleName: "domain-admin" },
  });
});

test("unassign of an assignment that does not exist is NOT_FOUND", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  const message = "That role assignment does not exist.";
  await expectRefused(
    bed.personas.owner.caller.roles.unassign({ userId: target.userId, roleId: AUDITOR_ROLE_ID, domainId: null }),
    "NOT_FOUND",
    message,
  );
  await expectRefused(
    bed.personas.owner.caller.roles.unassign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainB.id }),
    "NOT_FOUND",
    message,
  );
  await expectRefused(
    bed.personas.owner.caller.roles.unassign({ userId: target.userId, roleId: "role_missing", domainId: null }),
    "NOT_FOUND",
    message,
  );
  await expectRefused(
    bed.personas.owner.caller.roles.unassign({ userId: "user-missing", roleId: MEMBER_ROLE_ID, domainId: null }),
    "NOT_FOUND",
    "User not found.",
  );
});

test("nobody removes a role that holds permissions they lack in that scope", async () => {
  const target = await targetUser([bed.personas.domainA.id]);
  await grantRole(bed.database.db, target.userId, AUDITOR_ROLE_ID, bed.personas.domainA.id);
  await expectRefused(
    bed.personas.domainAdminA.caller.roles.unassign({ userId: target.userId, roleId: AUDITOR_ROLE_ID, domainId: bed.personas.domainA.id }),
    "FORBIDDEN",
    /You cannot remove permissions you do not hold in this domain: .*settings:read/,
  );
  expect(await hasRole(bed.database.db, target.userId, AUDITOR_ROLE_ID, bed.personas.domainA.id)).toBe(true);
});

test("a domain-admin of A cannot unassign in B (NOT_FOUND) nor globally (FORBIDDEN)", async () => {
  const target = await targetUser([bed.personas.domainA.id, bed.personas.domainB.id]);
  await expectRefused(
    bed.personas.domainAdminA.caller.roles.unassign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainB.id }),
    "NOT_FOUND",
    "Domain not found.",
  );
  await expectRefused(
    bed.personas.domainAdminA.caller.roles.unassign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: null }),
    "FORBIDDEN",
    "You need the roles:admin permission globally.",
  );
  expect(await hasRole(bed.database.db, target.userId, MEMBER_ROLE_ID, bed.personas.domainB.id)).toBe(true);
  expect(await hasRole(bed.database.db, target.userId, MEMBER_ROLE_ID, null)).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// Last owner: a bed.database of its own, so that exactly one owner exists when the test starts.

async function ownerInstallation() {
  const ownDatabase = await createTestDatabase();
  const ownAuth = await createTestAuth(ownDatabase.db);
  const ownDeps = { db: ownDatabase.db, auth: ownAuth };
  const owner = await createSignedInOwner(ownDatabase.db, ownAuth);
  const ownerCaller = await callerAs(ownDeps, owner.cookie);
  // Someone holding every permission without being an owner: the only one who could remove the last owner.
  const everything = `role_${randomUUID()}`;
  await ownDatabase.db.insert(role).values({ id: everything, name: "everything" });
  await ownDatabase.db.insert(rolePermission).values(ALL_PERMISSIONS.map((permission) => ({ roleId: everything, permission })));
  const superuser = await createPersona(ownDeps, everything, null, "superuser");
  return { ownDatabase, ownDeps, owner, ownerCaller, superuser };
}

test("the last owner cannot lose the owner role, but a second owner can", async () => {
  const { ownDatabase, ownDeps, owner, ownerCaller, superuser } = await ownerInstallation();
  try {
    const lastOwner = { userId: owner.userId, roleId: OWNER_ROLE_ID, domainId: null };
    await expectRefused(
      superuser.caller.roles.unassign(lastOwner),
      "FORBIDDEN",
      `${owner.email} is the last owner. Make someone else an owner first.`,
      ownDatabase.db,
    );
    expect(await hasRole(ownDatabase.db, owner.userId, OWNER_ROLE_ID, null)).toBe(true);

    const second = await createPersona(ownDeps, null, null, "second-owner");
    await ownerCaller.roles.assign({ userId: second.userId, roleId: OWNER_ROLE_ID, domainId: null });
    await ownerCaller.roles.unassign({ userId: second.userId, roleId: OWNER_ROLE_ID, domainId: null });
    expect(await hasRole(ownDatabase.db, second.userId, OWNER_ROLE_ID, null)).toBe(false);

    await ownerCaller.roles.assign({ userId: second.userId, roleId: OWNER_ROLE_ID, domainId: null });
    await superuser.caller.roles.unassign(lastOwner);
    expect(await hasRole(ownDatabase.db, owner.userId, OWNER_ROLE_ID, null)).toBe(false);
    await expectRefused(
      superuser.caller.roles.unassign({ ...lastOwner, userId: second.userId }),
      "FORBIDDEN",
      `${second.email} is the last owner. Make someone else an owner first.`,
      ownDatabase.db,
    );
  } finally {
    ownDatabase.destroy();
  }
});

test("a banned owner does not count as the other owner", async () => {
  const { ownDatabase, ownDeps, owner, ownerCaller, superuser } = await ownerInstallation();
  try {
    const banned = await createPersona(ownDeps, null, null, "banned-owner");
    await ownerCaller.roles.assign({ userId: banned.userId, roleId: OWNER_ROLE_ID, domainId: null });
    await ownDatabase.db.insert(userBan).values({ userId: banned.userId, reason: "test" });
    await expectRefused(
      superuser.caller.roles.unassign({ userId: owner.userId, roleId: OWNER_ROLE_ID, domainId: null }),
      "FORBIDDEN",
      `${owner.email} is the last owner. Make someone else an owner first.`,
      ownDatabase.db,
    );
  } finally {
    ownDatabase.destroy();
  }
});
