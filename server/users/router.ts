import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { MEMBER_ROLE_ID, userBan } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import { withAuthWrites } from "@/server/auth/auth-writes";
import { revocationDetails, revokeGrants } from "@/server/oauth/grants";
import {
  assertEmailFree,
  assertMayUseEmailDomain,
  assignPlacement,
  authorizePlacement,
  createAccount,
  hashPassword,
} from "@/server/users/accounts";
import { assertNotLastOwner } from "@/server/authz/owner";
import { assertNotSelf, auditDomainOf, loadAccountTarget } from "@/server/users/authority";
import { userDetail } from "@/server/users/detail";
import { hasPassword, invitationUrl, issueInvitation, pendingInvitation } from "@/server/users/invitation";
import { listUsers } from "@/server/users/list";
import { NOT_ENROLLED, removeAllSecondFactors } from "@/server/users/mfa";
import {
  banUserInput,
  createUserInput,
  inviteUserInput,
  listUsersInput,
  updateUserInput,
  userIdInput,
} from "@/server/users/schemas";
import { permissionsOfRole } from "@/server/authz/roles";
import type { Context } from "@/server/trpc/context";
import { router } from "@/server/trpc/init";
import { permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";

/** A new account given a role that carries permissions is a role grant like any other. */
async function placesWithPermissions(ctx: Context, input: { roleId?: string | undefined }): Promise<boolean> {
  return (await permissionsOfRole(ctx.db, input.roleId ?? MEMBER_ROLE_ID)).length > 0;
}

function publicUrlOf(baseURL: unknown): string {
  if (typeof baseURL !== "string") throw new Error("better-auth is configured without a static baseURL.");
  return baseURL;
}

export const usersRouter = router({
  list: permissionProcedure("users:read")
    .meta({
      description:
        "Lists the users you can read, ordered by email, one page at a time; filter by a search text, a domain or a role.",
    })
    .input(listUsersInput)
    .query(({ ctx, input }) => listUsers(ctx.db, ctx.authority, input)),

  get: permissionProcedure("users:read")
    .meta({
      description:
        "Shows one user in full: roles you can see, active sessions, MFA, ban, password and invitation state.",
    })
    .input(userIdInput)
    .query(({ ctx, input }) => userDetail(ctx.db, ctx.authority, input.id)),

  create: permissionProcedure("users:write")
    .meta({
      description:
        "Creates an account with a password and gives it a role in a domain (or globally); use invite when the person should choose the password. A role with permissions needs a recent sign-in.",
      stepUp: { action: "create an account with a privileged role", raises: ["grants-role"], when: stepUpWhen(createUserInput, placesWithPermissions) },
    })
    .input(createUserInput)
    .mutation(async ({ ctx, input }) => {
      // Hashing is slow on purpose; doing it first keeps the write lock short.
      const passwordHash = await hashPassword(ctx.auth, input.password);
      return ctx.db.transaction(async (tx) => {
        const placement = await authorizePlacement(tx, ctx.authority, input);
        await assertMayUseEmailDomain(tx, ctx.authority, input.email);
        await assertEmailFree(tx, input.email);
        const created = await createAccount(ctx.auth, tx, {
          email: input.email,
          name: input.name,
          emailVerified: false,
          passwordHash,
        });
        await assignPlacement(tx, created.id, placement);
        await recordEvent(tx, ctx.actor, {
          action: "user.created",
          targetType: "user",
          targetId: created.id,
          domainId: placement.domainId,
          details: { email: created.email, name: created.name, roleId: placement.roleId, domainId: placement.domainId },
        });
        return created;
      });
    }),

  invite: permissionProcedure("users:write")
    .meta({
      description:
        "Creates an account without a password and returns a one-time link, valid 7 days, with which the person sets one; the link is shown only in this answer. A role with permissions needs a recent sign-in.",
      stepUp: { action: "invite someone with a privileged role", raises: ["grants-role"], when: stepUpWhen(inviteUserInput, placesWithPermissions) },
    })
    .input(inviteUserInput)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const placement = await authorizePlacement(tx, ctx.authority, input);
        await assertMayUseEmailDomain(tx, ctx.authority, input.email);
        await assertEmailFree(tx, input.email);
        const created = await createAccount(ctx.auth, tx, { email: input.email, name: input.name, emailVerified: false });
        await assignPlacement(tx, created.id, placement);
        const { token, expiresAt } = await issueInvitation(tx, { userId: created.id, invitedBy: ctx.user.id });
        await recordEvent(tx, ctx.actor, {
          action: "user.invited",
          targetType: "user",
          targetId: created.id,
          domainId: placement.domainId,
          details: { email: created.email, name: created.name, roleId: placement.roleId, domainId: placement.domainId, expiresAt },
        });
        return { id: created.id, email: created.email, inviteUrl: invitationUrl(publicUrlOf(ctx.auth.options.baseURL), token), expiresAt };
      }),
    ),

  reinvite: permissionProcedure("users:write")
    .meta({
      description:
        "Issues a new invitation link for someone who has not accepted theirs yet; the previous link stops working. Needs a recent sign-in: whoever holds the link sets the account's password.",
      stepUp: { action: "issue a new invitation link", raises: ["changes-credentials"] },
    })
    .input(userIdInput)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const target = await loadAccountTarget(tx, ctx.authority, "users:write", input.id);
        if (!(await pendingInvitation(tx, target.id)) || (await hasPassword(tx, target.id))) {
          throw new TRPCError({ code: "CONFLICT", message: `${target.email} has no pending invitation.` });
        }
        const { token, expiresAt } = await issueInvitation(tx, { userId: target.id, invitedBy: ctx.user.id });
        await recordEvent(tx, ctx.actor, {
          action: "user.reinvited",
          targetType: "user",
          targetId: target.id,
          domainId: await auditDomainOf(tx, target.id),
          details: { email: target.email, expiresAt },
        });
        return { id: target.id, email: target.email, inviteUrl: invitationUrl(publicUrlOf(ctx.auth.options.baseURL), token), expiresAt };
      }),
    ),

  update: permissionProcedure("users:write")
    .meta({ description: "Changes a user's display name.", stepUp: false })
    .input(updateUserInput)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const target = await loadAccountTarget(tx, ctx.authority, "users:write", input.id);
        const updated = await withAuthWrites(ctx.auth, tx, (internal) => internal.updateUser(target.id, { name: input.name }));
        await recordEvent(tx, ctx.actor, {
          action: "user.updated",
          targetType: "user",
          targetId: target.id,
          domainId: await auditDomainOf(tx, target.id),
          details: { before: { name: target.name }, after: { name: input.name } },
        });
        return { id: target.id, email: target.email, name: updated?.name ?? input.name };
      }),
    ),

  ban: permissionProcedure("users:admin")
    .meta({
      description:
        "Suspends an account: signs it out everywhere, revokes its OAuth grants and tokens at once, and refuses new sign-ins until unbanned.",
      stepUp: false,
    })
    .input(banUserInput)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const target = await loadAccountTarget(tx, ctx.authority, "users:admin", input.id);
        assertNotSelf(ctx.user.id, target, "ban");
        await assertNotLastOwner(tx, target);
        const [existing] = await tx.select({ userId: userBan.userId }).from(userBan).where(eq(userBan.userId, target.id)).limit(1);
        if (existing) throw new TRPCError({ code: "CONFLICT", message: `${target.email} is already banned.` });
        const reason = input.reason ?? "";
        const bannedAt = new Date();
        await tx.insert(userBan).values({ userId: target.id, reason, bannedBy: ctx.user.id, bannedAt });
        await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteUserSessions(target.id));
        const revoked = await revokeGrants(tx, { userId: target.id }, "user_banned");
        await recordEvent(tx, ctx.actor, {
          action: "user.banned",
          targetType: "user",
          targetId: target.id,
          domainId: await auditDomainOf(tx, target.id),
          details: { email: target.email, reason, ...revocationDetails(revoked) },
        });
        return { id: target.id, banned: { reason, bannedAt, bannedBy: ctx.user.id } };
      }),
    ),

  unban: permissionProcedure("users:admin")
    .meta({ description: "Lifts a suspension so the account can sign in again.", stepUp: false })
    .input(userIdInput)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const target = await loadAccountTarget(tx, ctx.authority, "users:admin", input.id);
        const [lifted] = await tx
          .delete(userBan)
          .where(eq(userBan.userId, target.id))
          .returning({ reason: userBan.reason });
        if (!lifted) throw new TRPCError({ code: "CONFLICT", message: `${target.email} is not banned.` });
        await recordEvent(tx, ctx.actor, {
          action: "user.unbanned",
          targetType: "user",
          targetId: target.id,
          domainId: await auditDomainOf(tx, target.id),
          details: { email: target.email, previousReason: lifted.reason },
        });
        return { id: target.id, banned: null };
      }),
    ),

  resetMfa: permissionProcedure("users:admin")
    .meta({
      description:
        "Removes all of a user's second factors (authenticator app, backup codes, passkeys, trusted devices) so they can enrol again, for someone who lost their device; needs a recent sign-in.",
      stepUp: { action: "reset a user's MFA", raises: ["changes-credentials"] },
    })
    .input(userIdInput)
    .mutation(async ({ ctx, input }) => {
      const { target, removed } = await ctx.db.transaction(async (tx) => {
        const target = await loadAccountTarget(tx, ctx.authority, "users:admin", input.id);
        assertNotSelf(ctx.user.id, target, "resetMfa");
        const removed = await removeAllSecondFactors(tx, target.id);
        if (!removed.enrolled) throw new TRPCError({ code: "CONFLICT", message: `${target.email} has no second factor to reset.` });
        await recordEvent(tx, ctx.actor, {
          action: "user.mfa_reset",
          targetType: "user",
          targetId: target.id,
          domainId: await auditDomainOf(tx, target.id),
          details: { email: target.email, methods: removed.methods, passkeys: removed.passkeys },
        });
        return { target, removed };
      });
      // After the commit: the owner hears of a change that has happened, and the email is not sent
      // from inside the write lock.
      await (await ctx.auth.$context).securityNotices.mfaReset(target, removed);
      return { id: target.id, mfa: NOT_ENROLLED };
    }),

  delete: permissionProcedure("users:delete")
    .meta({
      description:
        "Deletes an account with its sessions, credentials, role assignments and invitations; the audit history keeps its id.",
      stepUp: false,
    })
    .input(userIdInput)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const target = await loadAccountTarget(tx, ctx.authority, "users:delete", input.id);
        assertNotSelf(ctx.user.id, target, "delete");
        await assertNotLastOwner(tx, target);
        const domainId = await auditDomainOf(tx, target.id);
        await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteUser(target.id));
        await recordEvent(tx, ctx.actor, {
          action: "user.deleted",
          targetType: "user",
          targetId: target.id,
          domainId,
          details: { email: target.email, name: target.name },
        });
        return { id: target.id };
      }),
    ),
});
