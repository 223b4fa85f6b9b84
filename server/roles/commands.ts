import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { domain, role, roleAssignment, rolePermission } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import type { Authority } from "@/server/authz/authority";
import { assertAnotherOwnerRemains } from "@/server/authz/owner";
import type { Permission } from "@/server/shared/permissions";
import { findVisibleUser } from "@/server/users/visibility";
import type { AssignmentInput, CreateRoleInput, DeleteRoleInput, UpdateRoleInput } from "./inputs";
import {
  countRoleAssignments,
  findAssignment,
  findRole,
  permissionsOfRole,
  scopesOfRoleAssignments,
  toRoleView,
  type RoleView,
} from "./queries";
import {
  DOMAIN_NOT_FOUND,
  assertBuiltInKeepsDefinition,
  assertMayAdministerAssignments,
  assertMayChangePermissions,
  assertMayDefineRoles,
  assertMayDeleteRole,
  assertMayDeleteRoles,
  assertMayGiveRole,
  assertMayGrantIn,
  assertMayGrantPermissions,
  assertMayReassignHolders,
  assertMayRelaxMfa,
  assertMayTakeRole,
  assertNotSelf,
  assertOwnerOnlyGlobal,
  removesOwnership,
} from "./rules";

/** Who a command acts for: the caller's database, authority, audit identity and user id. */
export interface Acting {
  db: Database;
  authority: Authority;
  actor: AuditActor;
  callerId: string;
}

function times(count: number): string {
  return count === 1 ? "once" : `${count} times`;
}

async function replaceRolePermissions(db: Executor, roleId: string, permissions: readonly Permission[]) {
  await db.delete(rolePermission).where(eq(rolePermission.roleId, roleId));
  if (permissions.length > 0) {
    await db.insert(rolePermission).values(permissions.map((permission) => ({ roleId, permission })));
  }
}

/** Role names are unique regardless of case; names are ASCII, so SQLite's lower() is exact. */
async function assertRoleNameFree(db: Executor, name: string, exceptRoleId: string | null): Promise<void> {
  const [clash] = await db
    .select({ name: role.name })
    .from(role)
    .where(and(sql`lower(${role.name}) = lower(${name})`, exceptRoleId ? ne(role.id, exceptRoleId) : undefined))
    .limit(1);
  if (clash) {
    throw new TRPCError({ code: "CONFLICT", message: `A role named “${clash.name}” already exists.` });
  }
}

type RoleFields = Pick<RoleView, "name" | "description" | "permissions" | "requiresMfa">;

function samePermissions(a: readonly Permission[], b: readonly Permission[]): boolean {
  return a.length === b.length && a.every((permission, index) => permission === b[index]);
}

/** The fields an update really changes, before and after; both empty when it changes nothing. */
function roleChanges(current: RoleFields, input: Partial<RoleFields>): { before: Partial<RoleFields>; after: Partial<RoleFields> } {
  const before: Partial<RoleFields> = {};
  const after: Partial<RoleFields> = {};
  if (input.name !== undefined && input.name !== current.name) {
    before.name = current.name;
    after.name = input.name;
  }
  if (input.description !== undefined && input.description !== current.description) {
    before.description = current.description;
    after.description = input.description;
  }
  if (input.requiresMfa !== undefined && input.requiresMfa !== current.requiresMfa) {
    before.requiresMfa = current.requiresMfa;
    after.requiresMfa = input.requiresMfa;
  }
  if (input.permissions !== undefined && !samePermissions(input.permissions, current.permissions)) {
    before.permissions = current.permissions;
    after.permissions = input.permissions;
  }
  return { before, after };
}

/**
 * Gives the holders of `fromRoleId` the role `toRoleId` in the same scope. Holders who already have
 * `toRoleId` there just lose the old assignment, since the unique indexes allow one per scope.
 */
async function moveAssignments(db: Executor, fromRoleId: string, toRoleId: string): Promise<{ moved: number; skipped: number }> {
  const duplicates = await db
    .delete(roleAssignment)
    .where(
      and(
        eq(roleAssignment.roleId, fromRoleId),
        sql`exists (select 1 from ${roleAssignment} as kept where kept.user_id = ${roleAssignment.userId} and kept.role_id = ${toRoleId} and kept.domain_id is ${roleAssignment.domainId})`,
      ),
    )
    .returning({ id: roleAssignment.id });
  const moved = await db
    .update(roleAssignment)
    .set({ roleId: toRoleId })
    .where(eq(roleAssignment.roleId, fromRoleId))
    .returning({ id: roleAssignment.id });
  return { moved: moved.length, skipped: duplicates.length };
}

/**
 * Before a role is deleted, hands its holders `reassignTo` in the same scopes. The caller must be
 * able to grant that role in every scope an assignment moves into, and owner stays global-only.
 */
async function reassignHolders(
  db: Executor,
  authority: Authority,
  fromRoleId: string,
  reassignTo: string,
): Promise<{ moved: number; skipped: number }> {
  if (reassignTo === fromRoleId) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Choose a different role to reassign to than the one being deleted." });
  }
  const target = await findRole(db, reassignTo, "The role to reassign to was not found.");
  const targetPermissions = await permissionsOfRole(db, target.id);
  const scopes = await scopesOfRoleAssignments(db, fromRoleId);
  assertOwnerOnlyGlobal(target.id, scopes);
  assertMayGrantIn(authority, targetPermissions, scopes);
  return moveAssignments(db, fromRoleId, target.id);
}

export async function createRole({ db, authority, actor }: Acting, input: CreateRoleInput): Promise<RoleView> {
  assertMayDefineRoles(authority);
  return db.transaction(async (tx) => {
    assertMayGrantPermissions(authority, input.permissions);
    await assertRoleNameFree(tx, input.name, null);
    const id = `role_${randomUUID()}`;
    const now = new Date();
    await tx.insert(role).values({
      id,
      name: input.name,
      description: input.description ?? "",
      builtIn: false,
      requiresMfa: input.requiresMfa ?? false,
      createdAt: now,
      updatedAt: now,
    });
    await replaceRolePermissions(tx, id, input.permissions);
    await recordEvent(tx, actor, {
      action: "role.created",
      targetType: "role",
      targetId: id,
      details: { name: input.name, permissions: input.permissions, requiresMfa: input.requiresMfa ?? false },
    });
    return toRoleView(await findRole(tx, id), input.permissions);
  });
}

/**
 * Whether an update raises privileges, so needs a recent sign-in: it adds a permission to the role,
 * or switches its MFA requirement off. Reads outside the update's transaction, before it runs.
 */
export async function updateRaisesPrivileges(db: Executor, input: UpdateRoleInput): Promise<boolean> {
  if (input.permissions === undefined && input.requiresMfa !== false) return false;
  const current = await findRole(db, input.id).catch(() => null);
  if (!current) return false;
  if (input.requiresMfa === false && current.requiresMfa) return true;
  if (input.permissions === undefined) return false;
  const held = new Set(await permissionsOfRole(db, current.id));
  return input.permissions.some((permission) => !held.has(permission));
}

export async function updateRole({ db, authority, actor }: Acting, input: UpdateRoleInput): Promise<RoleView> {
  assertMayDefineRoles(authority);
  return db.transaction(async (tx) => {
    const current = await findRole(tx, input.id);
    const currentPermissions = await permissionsOfRole(tx, current.id);
    const { before, after } = roleChanges(
      { name: current.name, description: current.description, permissions: currentPermissions, requiresMfa: current.requiresMfa },
      input,
    );

    // Nothing differs: no write and no audit event, so a form saved unchanged leaves no trace.
    if (Object.keys(after).length === 0) return toRoleView(current, currentPermissions);

    assertBuiltInKeepsDefinition(current, after);
    if (after.name !== undefined) await assertRoleNameFree(tx, after.name, current.id);
    if (after.permissions !== undefined) assertMayChangePermissions(authority, currentPermissions, after.permissions);
    if (after.requiresMfa === false) assertMayRelaxMfa(authority, currentPermissions);

    const { permissions, ...columns } = after;
    await tx
      .update(role)
      .set({ ...columns, updatedAt: new Date() })
      .where(eq(role.id, current.id));
    if (permissions !== undefined) await replaceRolePermissions(tx, current.id, permissions);
    await recordEvent(tx, actor, {
      action: "role.updated",
      targetType: "role",
      targetId: current.id,
      details: { before, after },
    });
    return toRoleView(await findRole(tx, current.id), permissions ?? currentPermissions);
  });
}

/** Whether a delete grants a role (its holders get one that carries permissions), so needs a recent sign-in. */
export async function deleteRaisesPrivileges(db: Executor, input: DeleteRoleInput): Promise<boolean> {
  return input.reassignTo === undefined ? false : (await permissionsOfRole(db, input.reassignTo)).length > 0;
}

export async function deleteRole({ db, authority, actor }: Acting, input: DeleteRoleInput) {
  assertMayDeleteRoles(authority);
  return db.transaction(async (tx) => {
    const current = await findRole(tx, input.id);
    assertMayDeleteRole(authority, current, await permissionsOfRole(tx, current.id));

    const reassignTo = input.reassignTo ?? null;
    if (reassignTo === null) {
      const assigned = await countRoleAssignments(tx, current.id);
      if (assigned > 0) {
        throw new TRPCError({
          code: "CONFLICT",
          message: `Role “${current.name}” is assigned ${times(assigned)}. Reassign those users to another role first.`,
        });
      }
    }
    if (reassignTo !== null) assertMayReassignHolders(authority);
    const { moved, skipped } =
      reassignTo === null ? { moved: 0, skipped: 0 } : await reassignHolders(tx, authority, current.id, reassignTo);

    await tx.delete(role).where(eq(role.id, current.id));
    await recordEvent(tx, actor, {
      action: "role.deleted",
      targetType: "role",
      targetId: current.id,
      details: { name: current.name, reassignedTo: reassignTo, movedAssignments: moved },
    });
    return { id: current.id, reassignedTo: reassignTo, movedAssignments: moved, skippedAssignments: skipped };
  });
}

export async function assignRole({ db, authority, actor, callerId }: Acting, input: AssignmentInput) {
  const { userId, roleId, domainId } = input;
  assertMayAdministerAssignments(authority, domainId);
  assertNotSelf(callerId, userId);
  return db.transaction(async (tx) => {
    let domainName: string | null = null;
    if (domainId !== null) {
      const [row] = await tx.select({ name: domain.name }).from(domain).where(eq(domain.id, domainId)).limit(1);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: DOMAIN_NOT_FOUND });
      domainName = row.name;
    }
    const granted = await findRole(tx, roleId);
    assertOwnerOnlyGlobal(granted.id, [domainId]);
    const target = await findVisibleUser(tx, authority, "users:read", userId);
    assertMayGiveRole(authority, await permissionsOfRole(tx, granted.id), domainId);
    if (await findAssignment(tx, target.id, granted.id, domainId)) {
      throw new TRPCError({
        code: "CONFLICT",
        message: `${target.email} already has the role “${granted.name}” in ${domainName ?? "all domains"}.`,
      });
    }

    const [assignment] = await tx
      .insert(roleAssignment)
      .values({ id: randomUUID(), userId: target.id, roleId: granted.id, domainId, createdAt: new Date() })
      .returning();
    if (!assignment) throw new Error("The role assignment was not written.");
    await recordAssignmentEvent(tx, actor, "role.assigned", { userId: target.id, domainId, role: granted });
    return {
      id: assignment.id,
      userId: assignment.userId,
      roleId: assignment.roleId,
      domainId: assignment.domainId,
      createdAt: assignment.createdAt,
    };
  });
}

/** Records a role given to or taken from a user in `domainId` (global when null), naming the role as it was then. */
function recordAssignmentEvent(
  tx: Executor,
  actor: AuditActor,
  action: "role.assigned" | "role.unassigned",
  assignment: { userId: string; domainId: string | null; role: { id: string; name: string } },
) {
  return recordEvent(tx, actor, {
    action,
    targetType: "user",
    targetId: assignment.userId,
    domainId: assignment.domainId,
    details: { roleId: assignment.role.id, roleName: assignment.role.name },
  });
}

export async function unassignRole({ db, authority, actor, callerId }: Acting, input: AssignmentInput) {
  const { userId, roleId, domainId } = input;
  assertMayAdministerAssignments(authority, domainId);
  assertNotSelf(callerId, userId);
  return db.transaction(async (tx) => {
    const target = await findVisibleUser(tx, authority, "users:read", userId);
    const assignment = await findAssignment(tx, target.id, roleId, domainId);
    if (!assignment) {
      throw new TRPCError({ code: "NOT_FOUND", message: "That role assignment does not exist." });
    }
    const removed = await findRole(tx, assignment.roleId);
    assertMayTakeRole(authority, await permissionsOfRole(tx, removed.id), domainId);
    if (removesOwnership(removed.id, domainId)) await assertAnotherOwnerRemains(tx, target);

    await tx.delete(roleAssignment).where(eq(roleAssignment.id, assignment.id));
    await recordAssignmentEvent(tx, actor, "role.unassigned", { userId: target.id, domainId, role: removed });
    return { id: assignment.id, userId: target.id, roleId: removed.id, domainId };
  });
}
