import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { ADMIN_ROLE_ID, MEMBER_ROLE_ID, OWNER_ROLE_ID, role, rolePermission, userBan } from "@/db/schema";
import { ALL_PERMISSIONS, type Permission } from "@/server/shared/permissions";
import { signUp, uniqueEmail } from "@/server/testing/auth";
import { createPersona, grantRole, personaTestBed, openPersonaTestBed, type Caller, type Persona } from "@/server/testing/authz";
import { outcome, unique } from "@/server/testing/outcome";

// The `can` flags of roles.* against what the mutations they predict then do. The walk in
// server/trpc/can-flags.test.ts covers the flags declared in meta; the holders' unassign flags on a
// role's page are a second kind of row in one answer, so they are walked here.

const bed = personaTestBed();

async function customRole(permissions: Permission[]) {
  const id = `role_${randomUUID()}`;
  await bed.database.db.insert(role).values({ id, name: unique("Flagged") });
  if (permissions.length > 0) {
    await bed.database.db.insert(rolePermission).values(permissions.map((permission) => ({ roleId: id, permission })));
  }
  return id;
}

async function holder(roleId: string, domainId: string | null) {
  const { userId } = await signUp(bed.auth, uniqueEmail("holder"));
  await grantRole(bed.database.db, userId, roleId, domainId);
  return userId;
}

/** Allowed means not refused: a CONFLICT or BAD_REQUEST is still a call the caller may make. */
async function allowed(call: Promise<unknown>): Promise<boolean> {
  const code = await outcome(call);
  return code !== "FORBIDDEN" && code !== "NOT_FOUND";
}

/** Runs roles.unassign for every holder on the role's page and holds each can.unassign to it. */
async function walkUnassign(caller: Caller, roleId: string) {
  const detail = await caller.roles.get({ id: roleId });
  const disagreements: unknown[] = [];
  for (const assignment of detail.assignments) {
    const did = await allowed(
      caller.roles.unassign({ userId: assignment.userId, roleId: assignment.roleId, domainId: assignment.domainId }),
    );
    if (did !== assignment.can.unassign) disagreements.push({ user: assignment.userEmail, domain: assignment.domainName, flag: assignment.can.unassign, did });
  }
  return { shown: detail.assignments.map((assignment) => assignment.can.unassign), disagreements };
}

test.each(["owner", "admin", "domainAdminA", "auditor"] as const)(
  "%s: each holder's can.unassign on a role's page is what roles.unassign then does",
  async (name) => {
    const persona: Persona = bed.personas[name];
    const shared = await customRole(["users:read"]);
    await holder(shared, null);
    await holder(shared, bed.personas.domainA.id);
    await holder(shared, bed.personas.domainB.id);
    // Their own assignment: nobody changes their own roles.
    await grantRole(bed.database.db, persona.userId, shared, bed.personas.domainA.id);
    // A role carrying a permission no domain-admin holds.
    const wide = await customRole(["settings:admin"]);
    await holder(wide, bed.personas.domainA.id);

    const { shown, disagreements } = await walkUnassign(persona.caller, shared);
    expect(disagreements).toEqual([]);
    expect(shown.length).toBeGreaterThan(0);
    expect((await walkUnassign(persona.caller, wide)).disagreements).toEqual([]);
  },
);

test("the owner role's holders: the last owner who is not banned keeps it, and a banned owner does not count", async () => {
  const fresh = await openPersonaTestBed();
  try {
    const { owner } = fresh.personas;
    const allPowerful = await createPersona({ db: fresh.database.db, auth: fresh.auth }, null, null, "all-powerful");
    const [everything] = await fresh.database.db.insert(role).values({ id: `role_${randomUUID()}`, name: "everything" }).returning();
    await fresh.database.db.insert(rolePermission).values(ALL_PERMISSIONS.map((permission) => ({ roleId: everything!.id, permission })));
    await grantRole(fresh.database.db, allPowerful.userId, everything!.id, null);
    const banned = await createPersona({ db: fresh.database.db, auth: fresh.auth }, OWNER_ROLE_ID, null, "banned-owner");
    await fresh.database.db.insert(userBan).values({ userId: banned.userId, reason: "", bannedBy: owner.userId, bannedAt: new Date() });

    const flags = async () =>
      new Map((await allPowerful.caller.roles.get({ id: OWNER_ROLE_ID })).assignments.map((row) => [row.userId, row.can.unassign]));
    // The owner is the last owner who is not banned; the banned owner may lose the role.
    expect(await flags()).toEqual(new Map([[owner.userId, false], [banned.userId, true]]));
    const { disagreements } = await walkUnassign(allPowerful.caller, OWNER_ROLE_ID);
    expect(disagreements).toEqual([]);
  } finally {
    fresh.database.destroy();
  }
});

test("roles carry edit and delete as the caller may: delete needs every permission of the role and never a built-in one", async () => {
  const plain = await customRole(["users:read"]);
  const ownerOnly = await customRole(["settings:admin"]);
  const flagsOf = async (caller: Caller) => {
    const roles = await caller.roles.list();
    return Object.fromEntries(
      [plain, ownerOnly, ADMIN_ROLE_ID, MEMBER_ROLE_ID].map((id) => [id, roles.find((item) => item.id === id)?.can]),
    );
  };
  expect(await flagsOf(bed.personas.owner.caller)).toEqual({
    [plain]: { edit: true, delete: true },
    [ownerOnly]: { edit: true, delete: true },
    [ADMIN_ROLE_ID]: { edit: true, delete: false },
    [MEMBER_ROLE_ID]: { edit: true, delete: false },
  });
  expect(await flagsOf(bed.personas.admin.caller)).toEqual({
    [plain]: { edit: true, delete: true },
    [ownerOnly]: { edit: true, delete: false },
    [ADMIN_ROLE_ID]: { edit: true, delete: false },
    [MEMBER_ROLE_ID]: { edit: true, delete: false },
  });
  const none = { edit: false, delete: false };
  for (const caller of [bed.personas.auditor.caller, bed.personas.domainAdminA.caller]) {
    expect(await flagsOf(caller)).toEqual({ [plain]: none, [ownerOnly]: none, [ADMIN_ROLE_ID]: none, [MEMBER_ROLE_ID]: none });
  }
  expect((await bed.personas.admin.caller.roles.get({ id: ownerOnly })).can).toEqual({ edit: true, delete: false });

  // The flags hold: the admin's refused delete is refused, the allowed one goes through.
  expect(await outcome(bed.personas.admin.caller.roles.delete({ id: ownerOnly }))).toBe("FORBIDDEN");
  expect(await outcome(bed.personas.admin.caller.roles.delete({ id: plain }))).toBe("ok");
});

test("permission options say who may create roles and which permissions each may put into one", async () => {
  const owner = await bed.personas.owner.caller.roles.permissionOptions();
  expect(owner).toEqual({ can: { create: true }, permissions: ALL_PERMISSIONS.map((permission) => ({ permission, grantable: true })) });

  const admin = await bed.personas.admin.caller.roles.permissionOptions();
  expect(admin.can).toEqual({ create: true });
  expect(admin.permissions.filter((option) => !option.grantable).map((option) => option.permission)).toEqual(["settings:admin"]);

  // Held only inside a domain is not held globally, and role definitions are global.
  const domainAdmin = await bed.personas.domainAdminA.caller.roles.permissionOptions();
  expect(domainAdmin.can).toEqual({ create: false });
  expect(domainAdmin.permissions.some((option) => option.grantable)).toBe(false);
  expect((await bed.personas.auditor.caller.roles.permissionOptions()).can).toEqual({ create: false });
  expect(await outcome(bed.personas.member.caller.roles.permissionOptions())).toBe("FORBIDDEN");

  const detail = await bed.personas.admin.caller.roles.get({ id: MEMBER_ROLE_ID });
  expect(detail.permissionOptions).toEqual(admin.permissions);
});
