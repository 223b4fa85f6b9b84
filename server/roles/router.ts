import { randomUUID } from "node:crypto";
import { router } from "@/server/trpc/init";
import { canFlags, canFlagsOfArray, canFlagsOfObject, permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";
import type { Context } from "@/server/trpc/context";
import type { Authority } from "@/server/authz/authority";
import { assignRole, createRole, type Acting, deleteRaisesPrivileges, deleteRole, unassignRole, updateRaisesPrivileges, updateRole } from "./commands";
import { assignmentInput, createRoleInput, deleteRoleInput, listRolesInput, roleIdInput, updateRoleInput } from "./inputs";
import { listRoles, roleDetail, roleOptions, type RoleDetail, type RoleListItem } from "./queries";

/** What a command needs of a permission procedure's context. */
function acting(ctx: Pick<Context, "db" | "actor"> & { authority: Authority; user: { id: string } }): Acting {
  return { db: ctx.db, authority: ctx.authority, actor: ctx.actor, callerId: ctx.user.id };
}

/** The flags of a role, for roles.list and roles.get alike; the walk edits and deletes each role. */
const ROLE_FLAGS = {
  edit: { procedure: "roles.update", input: (row: { id: string }) => ({ id: row.id, description: "Edited to check the edit flag." }) },
  delete: { procedure: "roles.delete", input: (row: { id: string }) => ({ id: row.id }) },
};

export const rolesRouter = router({
  list: permissionProcedure("roles:read")
    .meta({
      page: { href: "/roles", label: "Roles" },
      description:
        "Lists every role, built-in first and then by name, with its permissions and how many assignments it has in the scopes you can read; use search to filter by name or description.",
      can: canFlagsOfArray<RoleListItem>(ROLE_FLAGS),
    })
    .input(listRolesInput)
    .query(({ ctx, input }) => listRoles(ctx.db, ctx.authority, input?.search || undefined, input?.sort)),

  get: permissionProcedure("roles:read")
    .meta({
      description:
        "Returns one role with its permissions and the users holding it (with the domain of each assignment) in the scopes you can read, for the role's detail page.",
      can: [
        canFlagsOfObject<RoleDetail>(ROLE_FLAGS),
        canFlags<RoleDetail, RoleDetail["assignments"][number]>({
          rows: (output) => output.assignments,
          flags: {
            unassign: {
              procedure: "roles.unassign",
              input: (holder) => ({ userId: holder.userId, roleId: holder.roleId, domainId: holder.domainId }),
            },
          },
        }),
      ],
    })
    .input(roleIdInput)
    .query(({ ctx, input }) => roleDetail(ctx.db, ctx.authority, ctx.user.id, input.id)),

  permissionOptions: permissionProcedure("roles:read")
    .meta({
      description:
        "Whether you may create roles, and every permission with whether you may put it into a role (you hold it globally), for the new-role form.",
      can: canFlagsOfObject<Awaited<ReturnType<typeof roleOptions>>>({
        create: { procedure: "roles.create", input: () => ({ name: `Flag check ${randomUUID().slice(0, 8)}`, permissions: [] }) },
      }),
    })
    .query(({ ctx }) => roleOptions(ctx.authority)),

  create: permissionProcedure("roles:write")
    .meta({
      description:
        "Creates a custom role with a unique name and a set of permissions, each of which you must hold globally; assign it to users with roles.assign.",
      // A new role has no holders: it raises nobody's privileges until roles.assign, which steps up.
      stepUp: false,
    })
    .input(createRoleInput)
    .mutation(({ ctx, input }) => createRole(acting(ctx), input)),

  update: permissionProcedure("roles:write")
    .meta({
      description:
        "Renames a custom role, changes its description, replaces its permissions (you must hold every old and new one globally) or switches its MFA requirement (switching it off needs roles:admin and every permission of the role); built-in roles take only a new description or MFA requirement. A call that changes nothing writes nothing. Adding permissions or switching the MFA requirement off needs a recent sign-in.",
      stepUp: {
        action: "widen a role or relax its MFA requirement",
        raises: ["widens-role", "relaxes-mfa"],
        when: stepUpWhen(updateRoleInput, (ctx, input) => updateRaisesPrivileges(ctx.db, input)),
      },
    })
    .input(updateRoleInput)
    .mutation(({ ctx, input }) => updateRole(acting(ctx), input)),

  delete: permissionProcedure("roles:delete")
    .meta({
      description:
        "Deletes a custom role. While it is assigned, give reassignTo: its holders get that role instead in the same scope (holders who already have it there keep just one); reassigning is granting a role, so it needs roles:admin and a recent sign-in when that role carries permissions.",
      stepUp: {
        action: "give a role's holders another role",
        raises: ["grants-role"],
        when: stepUpWhen(deleteRoleInput, (ctx, input) => deleteRaisesPrivileges(ctx.db, input)),
      },
    })
    .input(deleteRoleInput)
    .mutation(({ ctx, input }) => deleteRole(acting(ctx), input)),

  assign: permissionProcedure("roles:admin")
    .meta({
      description:
        "Gives a user a role in one domain, or globally with domainId null; you need roles:admin there and every permission of the role, a recent sign-in, and cannot change your own roles.",
      stepUp: { action: "grant a role", raises: ["grants-role"] },
    })
    .input(assignmentInput)
    .mutation(({ ctx, input }) => assignRole(acting(ctx), input)),

  unassign: permissionProcedure("roles:admin")
    .meta({
      description:
        "Takes a role away from a user in one domain, or globally with domainId null; you need roles:admin there and every permission of the role, and the last owner keeps the owner role.",
      stepUp: false,
    })
    .input(assignmentInput)
    .mutation(({ ctx, input }) => unassignRole(acting(ctx), input)),
});
