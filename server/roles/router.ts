import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { OWNER_ROLE_ID, domain, role, roleAssignment } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import type { Authority } from "@/server/authz/authority";
import { assertHoldsAll, authorizeIn, requireGlobally } from "@/server/authz/guard";
import { assertAnotherOwnerRemains } from "@/server/authz/owner";
import {
  OWNER_ONLY_GLOBAL,
  assertRoleNameFree,
  assignmentInput,
  countRoleAssignments,
  createRoleInput,
  deleteRoleInput,
  findAssignment,
  findRole,
  listRoles,
  listRolesInput,
  permissionsOfRole,
  reassignHolders,
  replaceRolePermissions,
  roleChanges,
  roleDetail,
  roleIdInput,
  toRoleView,
  updateRoleInput,
} from "@/server/authz/roles";
import { findVisibleUser } from "@/server/users/visibility";
import { router } from "@/server/trpc/init";
import { permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";

const DOMAIN_NOT_FOUND = "Domain not found.";

function times(count: number): string {
  return count === 1 ? "once" : `${count} times`;
}

/**
 * Assigning and unassigning need roles:admin where the assignment lives. A domain the caller cannot
 * see roles in is NOT_FOUND; the global scope exists for everyone, so lacking it there is FORBIDDEN.
 */
function authorizeAssignmentScope(authority: Authority, domainId: string | null): void {
  if (domainId === null) {
    requireGlobally(authority, "roles:admin");
    return;
  }
  authorizeIn(authority, { permission: "roles:admin", domainId, visibleWith: "roles:read", notFound: DOMAIN_NOT_FOUND });
}

function assertNotSelf(callerId: string, userId: string): void {
  if (callerId === userId) throw new TRPCError({ code: "FORBIDDEN", message: "You cannot change your own roles." });
}

export const rolesRouter = router({
  list: permissionProcedure("roles:read")
    .meta({
      description:
        "Lists every role, built-in first and then by name, with its permissions and how many assignments it has in the scopes you can read; use search to filter by name or description.",
    })
    .input(listRolesInput)
    .query(({ ctx, input }) => listRoles(ctx.db, ctx.authority.scopeOf("roles:read"), input?.search || undefined)),

  get: permissionProcedure("roles:read")
    .meta({
      description:
        "Returns one role with its permissions and the users holding it (with the domain of each assignment) in the scopes you can read, for the role's detail page.",
    })
    .input(roleIdInput)
    .query(({ ctx, input }) => roleDetail(ctx.db, ctx.authority.scopeOf("roles:read"), input.id)),

  create: permissionProcedure("roles:write")
    .meta({
      description:
        "Creates a custom role with a unique name and a set of permissions, each of which you must hold globally; assign it to users with roles.assign.",
      // A new role has no holders: it raises nobody's privileges until roles.assign, which steps up.
      stepUp: false,
    })
    .input(createRoleInput)
    .mutation(({ ctx, input }) => {
      requireGlobally(ctx.authority, "roles:write");
      return ctx.db.transaction(async (tx) => {
        assertHoldsAll(ctx.authority, input.permissions, null, "grant");
        await assertRoleNameFree(tx, input.name, null);
        const id = `role_${randomUUID()}`;
        const now = new Date();
        await tx
          .insert(role)
          .values({
            id,
            name: input.name,
            description: input.description ?? "",
            builtIn: false,
            requiresMfa: input.requiresMfa ?? false,
            createdAt: now,
            updatedAt: now,
          });
        await replaceRolePermissions(tx, id, input.permissions);
        await recordEvent(tx, ctx.actor, {
          action: "role.created",
          targetType: "role",
          targetId: id,
          details: { name: input.name, permissions: input.permissions, requiresMfa: input.requiresMfa ?? false },
        });
        return toRoleView(await findRole(tx, id), input.permissions);
      });
    }),

  update: permissionProcedure("roles:write")
    .meta({
      description:
        "Renames a custom role, changes its description, replaces its permissions (you must hold every old and new one globally) or switches its MFA requirement (switching it off needs roles:admin and every permission of the role); built-in roles take only a new description or MFA requirement. A call that changes nothing writes nothing. Adding permissions or switching the MFA requirement off needs a recent sign-in.",
      stepUp: {
        action: "widen a role or relax its MFA requirement",
        raises: ["widens-role", "relaxes-mfa"],
        when: stepUpWhen(updateRoleInput, async (ctx, input) => {
          if (input.permissions === undefined && input.requiresMfa !== false) return false;
          const current = await findRole(ctx.db, input.id).catch(() => null);
          if (!current) return false;
          if (input.requiresMfa === false && current.requiresMfa) return true;
          if (input.permissions === undefined) return false;
          const held = new Set(await permissionsOfRole(ctx.db, current.id));
          return input.permissions.some((permission) => !held.has(permission));
        }),
      },
    })
    .input(updateRoleInput)
    .mutation(({ ctx, input }) => {
      requireGlobally(ctx.authority, "roles:write");
      return ctx.db.transaction(async (tx) => {
        const current = await findRole(tx, input.id);
        const currentPermissions = await permissionsOfRole(tx, current.id);
        const { before: changedBefore, after: changedAfter } = roleChanges(
          { name: current.name, description: current.description, permissions: currentPermissions, requiresMfa: current.requiresMfa },
          input,
        );

        // Nothing differs: no write and no audit event, so a form saved unchanged leaves no trace.
        if (Object.keys(changedAfter).length === 0) return toRoleView(current, currentPermissions);

        if (current.builtIn && (changedAfter.name !== undefined || changedAfter.permissions !== undefined)) {
          throw new TRPCError({
            code: "FORBIDDEN",
            message: "Built-in roles cannot be renamed or have their permissions changed.",
          });
        }
        if (changedAfter.name !== undefined) await assertRoleNameFree(tx, changedAfter.name, current.id);
        if (changedAfter.permissions !== undefined) {
          assertHoldsAll(ctx.authority, [...currentPermissions, ...changedAfter.permissions], null, "change");
        }
        if (changedAfter.requiresMfa === false) {
          // Lifting the requirement weakens every holder's account: only someone who could hand the
          // role out (roles:admin and all of its permissions) may do that.
          requireGlobally(ctx.authority, "roles:admin");
          assertHoldsAll(ctx.authority, currentPermissions, null, "change");
        }

        const { permissions, ...columns } = changedAfter;
        await tx
          .update(role)
          .set({ ...columns, updatedAt: new Date() })
          .where(eq(role.id, current.id));
        if (permissions !== undefined) await replaceRolePermissions(tx, current.id, permissions);
        await recordEvent(tx, ctx.actor, {
          action: "role.updated",
          targetType: "role",
          targetId: current.id,
          details: { before: changedBefore, after: changedAfter },
        });
        return toRoleView(await findRole(tx, current.id), permissions ?? currentPermissions);
      });
    }),

  delete: permissionProcedure("roles:delete")
    .meta({
      description:
        "Deletes a custom role. While it is assigned, give reassignTo: its holders get that role instead in the same scope (holders who already have it there keep just one); reassigning is granting a role, so it needs roles:admin and a recent sign-in when that role carries permissions.",
      stepUp: {
        action: "give a role's holders another role",
        raises: ["grants-role"],
        when: stepUpWhen(deleteRoleInput, async (ctx, input) =>
          input.reassignTo === undefined ? false : (await permissionsOfRole(ctx.db, input.reassignTo)).length > 0,
        ),
      },
    })
    .input(deleteRoleInput)
    .mutation(({ ctx, input }) => {
      requireGlobally(ctx.authority, "roles:delete");
      return ctx.db.transaction(async (tx) => {
        const current = await findRole(tx, input.id);
        if (current.builtIn) throw new TRPCError({ code: "FORBIDDEN", message: "Built-in roles cannot be deleted." });
        // Deleting a role takes its permissions away from a definition, as an update to nothing would.
        assertHoldsAll(ctx.authority, await permissionsOfRole(tx, current.id), null, "remove");

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
        if (reassignTo !== null) requireGlobally(ctx.authority, "roles:admin");
        const { moved, skipped } =
          reassignTo === null ? { moved: 0, skipped: 0 } : await reassignHolders(tx, ctx.authority, current.id, reassignTo);

        await tx.delete(role).where(eq(role.id, current.id));
        await recordEvent(tx, ctx.actor, {
          action: "role.deleted",
          targetType: "role",
          targetId: current.id,
          details: { name: current.name, reassignedTo: reassignTo, movedAssignments: moved },
        });
        return { id: current.id, reassignedTo: reassignTo, movedAssignments: moved, skippedAssignments: skipped };
      });
    }),

  assign: permissionProcedure("roles:admin")
    .meta({
      description:
        "Gives a user a role in one domain, or globally with domainId null; you need roles:admin there and every permission of the role, a recent sign-in, and cannot change your own roles.",
      stepUp: { action: "grant a role", raises: ["grants-role"] },
    })
    .input(assignmentInput)
    .mutation(async ({ ctx, input }) => {
      const { userId, roleId, domainId } = input;
      authorizeAssignmentScope(ctx.authority, domainId);
      assertNotSelf(ctx.user.id, userId);
      return ctx.db.transaction(async (tx) => {
        let domainName: string | null = null;
        if (domainId !== null) {
          const [row] = await tx.select({ name: domain.name }).from(domain).where(eq(domain.id, domainId)).limit(1);
          if (!row) throw new TRPCError({ code: "NOT_FOUND", message: DOMAIN_NOT_FOUND });
          domainName = row.name;
        }
        const granted = await findRole(tx, roleId);
        if (granted.id === OWNER_ROLE_ID && domainId !== null) {
          throw new TRPCError({ code: "BAD_REQUEST", message: OWNER_ONLY_GLOBAL });
        }
        const target = await findVisibleUser(tx, ctx.authority, "users:read", userId);
        assertHoldsAll(ctx.authority, await permissionsOfRole(tx, granted.id), domainId, "grant");
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
        await recordEvent(tx, ctx.actor, {
          action: "role.assigned",
          targetType: "user",
          targetId: target.id,
          domainId,
          details: { roleId: granted.id, roleName: granted.name },
        });
        return {
          id: assignment.id,
          userId: assignment.userId,
          roleId: assignment.roleId,
          domainId: assignment.domainId,
          createdAt: assignment.createdAt,
        };
      });
    }),

  unassign: permissionProcedure("roles:admin")
    .meta({
      description:
        "Takes a role away from a user in one domain, or globally with domainId null; you need roles:admin there and every permission of the role, and the last owner keeps the owner role.",
      stepUp: false,
    })
    .input(assignmentInput)
    .mutation(({ ctx, input }) => {
      const { userId, roleId, domainId } = input;
      authorizeAssignmentScope(ctx.authority, domainId);
      assertNotSelf(ctx.user.id, userId);
      return ctx.db.transaction(async (tx) => {
        const target = await findVisibleUser(tx, ctx.authority, "users:read", userId);
        const assignment = await findAssignment(tx, target.id, roleId, domainId);
        if (!assignment) {
          throw new TRPCError({ code: "NOT_FOUND", message: "That role assignment does not exist." });
        }
        const removed = await findRole(tx, assignment.roleId);
        assertHoldsAll(ctx.authority, await permissionsOfRole(tx, removed.id), domainId, "remove");
        if (removed.id === OWNER_ROLE_ID && domainId === null) await assertAnotherOwnerRemains(tx, target);

        await tx.delete(roleAssignment).where(eq(roleAssignment.id, assignment.id));
        await recordEvent(tx, ctx.actor, {
          action: "role.unassigned",
          targetType: "user",
          targetId: target.id,
          domainId,
          details: { roleId: removed.id, roleName: removed.name },
        });
        return { id: assignment.id, userId: target.id, roleId: removed.id, domainId };
      });
    }),
});
