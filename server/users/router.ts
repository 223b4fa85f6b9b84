import { router } from "@/server/trpc/init";
import { canFlags, canFlagsOfObject, canFlagsOfPage, permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";
import {
  banUser,
  banUsers,
  createUser,
  deleteUser,
  inviteUser,
  placesWithPermissions,
  reinviteUser,
  resendInvitation,
  resetUserMfa,
  unbanUser,
  updateUser,
} from "./commands";
import { banUserInput, banUsersInput, createUserInput, inviteUserInput, listUsersInput, updateUserInput, userIdInput } from "./inputs";
import { holdsPermissions, listUsers, userDetail, usersOptions, type Placement, type UserDetail, type UserListItem } from "./queries";

/** The flags every user row carries, each naming the mutation it predicts and the input acting on that row. */
function userFlags<Row extends { id: string }>() {
  const byId = (row: Row) => ({ id: row.id });
  return {
    update: { procedure: "users.update", input: (row: Row) => ({ id: row.id, name: "Renamed by the walk" }) },
    reinvite: { procedure: "users.reinvite", input: byId },
    resendInvitation: { procedure: "users.resendInvitation", input: byId },
    ban: { procedure: "users.ban", input: byId },
    unban: { procedure: "users.unban", input: byId },
    resetMfa: { procedure: "users.resetMfa", input: byId },
    delete: { procedure: "users.delete", input: byId },
  };
}

/** A fresh address and a strong password for each placement checked, so no check collides with another. */
function newAccount(row: Placement) {
  return {
    email: `placement-${crypto.randomUUID()}@example.com`,
    name: "New account",
    ...(row.domainId === null ? {} : { domainId: row.domainId }),
    roleId: row.roleId,
  };
}

export const usersRouter = router({
  list: permissionProcedure("users:read")
    .meta({
      page: { href: "/users", label: "Users" },
      description:
        "Lists the users you can read, ordered by email, one page at a time; filter by a search text, a domain or a role.",
      can: canFlagsOfPage<UserListItem>(userFlags<UserListItem>()),
    })
    .input(listUsersInput)
    .query(({ ctx, input }) => listUsers(ctx.db, ctx.authority, ctx.user.id, input)),

  get: permissionProcedure("users:read")
    .meta({
      description:
        "Shows one user in full: roles you can see, active sessions, MFA, ban, password and invitation state.",
      can: [
        canFlagsOfObject<UserDetail>(userFlags<UserDetail>()),
        canFlags<UserDetail, UserDetail["roles"][number] & { userId: string }>({
          rows: (output) => output.roles.map((assignment) => ({ ...assignment, userId: output.id })),
          flags: {
            unassign: {
              procedure: "roles.unassign",
              input: (row) => ({ userId: row.userId, roleId: row.roleId, domainId: row.domainId }),
            },
          },
        }),
        canFlags<UserDetail, { userId: string; roleId: string; domainId: string | null; can: { assign: boolean } }>({
          rows: (output) =>
            output.assignable.flatMap((scope) => scope.roles.map((choice) => ({ ...choice, domainId: scope.domainId, userId: output.id }))),
          flags: {
            assign: {
              procedure: "roles.assign",
              input: (row) => ({ userId: row.userId, roleId: row.roleId, domainId: row.domainId }),
            },
          },
        }),
      ],
    })
    .input(userIdInput)
    .query(({ ctx, input }) => userDetail(ctx.db, ctx.authority, ctx.user.id, input.id)),

  options: permissionProcedure("users:read")
    .meta({
      description:
        "What the users page offers you: the domains and roles to filter by, and the scopes and roles you may give a new account.",
      can: canFlags<{ placements: Placement[] }, Placement>({
        rows: (output) => output.placements,
        flags: {
          create: {
            procedure: "users.create",
            input: (row) => ({ ...newAccount(row), password: "a-walk-placement-passphrase" }),
          },
          invite: { procedure: "users.invite", input: newAccount },
        },
      }),
    })
    .query(({ ctx }) => usersOptions(ctx.db, ctx.authority)),

  create: permissionProcedure("users:write")
    .meta({
      description:
        "Creates an account with a password and gives it a role in a domain (or globally); use invite when the person should choose the password. A role with permissions needs a recent sign-in.",
      stepUp: {
        action: "create an account with a privileged role",
        raises: ["grants-role"],
        when: stepUpWhen(createUserInput, (ctx, input) => placesWithPermissions(ctx.db, input)),
      },
    })
    .input(createUserInput)
    .mutation(({ ctx, input }) => createUser(ctx, input)),

  invite: permissionProcedure("users:write")
    .meta({
      description:
        "Creates an account without a password and returns a one-time link, valid 7 days, with which the person sets one; the link is shown only in this answer. A role with permissions needs a recent sign-in.",
      stepUp: {
        action: "invite someone with a privileged role",
        raises: ["grants-role"],
        when: stepUpWhen(inviteUserInput, (ctx, input) => placesWithPermissions(ctx.db, input)),
      },
    })
    .input(inviteUserInput)
    .mutation(({ ctx, input }) => inviteUser(ctx, input)),

  reinvite: permissionProcedure("users:write")
    .meta({
      description:
        "Issues a new invitation link for someone who has not accepted theirs yet; the previous link stops working. Needs a recent sign-in: whoever holds the link sets the account's password.",
      stepUp: { action: "issue a new invitation link", raises: ["changes-credentials"] },
    })
    .input(userIdInput)
    .mutation(({ ctx, input }) => reinviteUser(ctx, input)),

  resendInvitation: permissionProcedure("users:write")
    .meta({
      description:
        "Emails a new invitation link, valid 7 days, to someone who has not set their password yet; the previous link stops working. The link goes only to their address, never into this answer. For someone holding a role with permissions, needs a recent sign-in, as inviting them did.",
      stepUp: {
        action: "send a new invitation link",
        raises: ["changes-credentials"],
        when: stepUpWhen(userIdInput, (ctx, input) => holdsPermissions(ctx.db, input.id)),
      },
    })
    .input(userIdInput)
    .mutation(({ ctx, input }) => resendInvitation(ctx, input)),

  update: permissionProcedure("users:write")
    .meta({ description: "Changes a user's display name.", stepUp: false })
    .input(updateUserInput)
    .mutation(({ ctx, input }) => updateUser(ctx, input)),

  ban: permissionProcedure("users:admin")
    .meta({
      description:
        "Suspends an account: signs it out everywhere, revokes its OAuth grants and tokens at once, and refuses new sign-ins until unbanned.",
      stepUp: false,
    })
    .input(banUserInput)
    .mutation(({ ctx, input }) => banUser(ctx, input)),

  banMany: permissionProcedure("users:admin")
    .meta({
      description:
        "Suspends several accounts at once (1 to 100), each as users.ban would; if any of them may not be suspended, none is.",
      stepUp: false,
    })
    .input(banUsersInput)
    .mutation(({ ctx, input }) => banUsers(ctx, input)),

  unban: permissionProcedure("users:admin")
    .meta({ description: "Lifts a suspension so the account can sign in again.", stepUp: false })
    .input(userIdInput)
    .mutation(({ ctx, input }) => unbanUser(ctx, input)),

  resetMfa: permissionProcedure("users:admin")
    .meta({
      description:
        "Removes all of a user's second factors (authenticator app, backup codes, passkeys, trusted devices) so they can enrol again, for someone who lost their device; needs a recent sign-in.",
      stepUp: { action: "reset a user's MFA", raises: ["changes-credentials"] },
    })
    .input(userIdInput)
    .mutation(({ ctx, input }) => resetUserMfa(ctx, input)),

  delete: permissionProcedure("users:delete")
    .meta({
      description:
        "Deletes an account with its sessions, credentials, role assignments and invitations; the audit history keeps its id.",
      stepUp: false,
    })
    .input(userIdInput)
    .mutation(({ ctx, input }) => deleteUser(ctx, input)),
});
