import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { ADMIN_ROLE_ID, MEMBER_ROLE_ID, OWNER_ROLE_ID, role, rolePermission, userBan } from "@/db/schema";
import { ALL_PERMISSIONS, type Permission } from "@/server/shared/permissions";
import { createPersona, grantRole, personaTestBed, openPersonaTestBed, type Caller } from "@/server/testing/authz";
import { outcome, unique } from "@/server/testing/outcome";

// The `can` flags of roles.* in the cases that need a world of their own. Every flag, the holders'
// can.unassign on a role's page included, is walked for every role and row by
// server/trpc/can-flags.test.ts.

const bed = personaTestBed();

async function customRole(permissions: Permission[]) {
  const id = `role_${randomUUID()}`;
  await bed.database.db.insert(role).values({ id, name: unique("Flagged") });
  if (permissions.length > 0) {
    await bed.database.db.insert(rolePermission).values(permissions.map((permission) => ({ roleId: id, permission })));
  }
  return id;
}

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
    const unassign = (userId: string) => outcome(allPowerful.caller.roles.unassign({ userId, roleId: OWNER_ROLE_ID, domainId: null }));
    expect(await unassign(owner.userId)).toBe("FORBIDDEN");
    expect(await unassign(banned.userId)).toBe("ok");
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
