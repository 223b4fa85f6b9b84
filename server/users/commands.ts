import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { z } from "zod";
import type { Executor } from "@/db/client";
import { MEMBER_ROLE_ID, OWNER_ROLE_ID, domain, roleAssignment, rolePermission, userBan } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import type { Auth } from "@/server/auth/auth";
import { withAuthWrites } from "@/server/auth/auth-writes";
import { Authority } from "@/server/authz/authority";
import { assertHoldsAll, authorizeIn } from "@/server/authz/guard";
import { claimingDomainOf, emailDomainOf } from "@/server/domains/membership";
import { activeOwnerIds, assertAnotherOwnerAmong } from "@/server/authz/owner";
import { findRole, permissionsOfRole } from "@/server/roles/queries";
import { assertOwnerOnlyGlobal } from "@/server/roles/rules";
import { revocationDetails, revokeGrants } from "@/server/grants/revocation";
import { eachOrNothing } from "@/server/bulk";
import { isPermission, missingPermissions, sortPermissions, type Permission } from "@/server/shared/permissions";
import { assertEmailFree, createAccount, hashPassword } from "./accounts";
import type { banUserInput, banUsersInput, createUserInput, inviteUserInput, updateUserInput } from "./inputs";
import { emailInvitation, hasPassword, invitationMessage, invitationUrl, issueInvitation, pendingInvitation } from "./invitation";
import { NOT_ENROLLED, removeAllSecondFactors } from "./mfa";
import { auditDomainOf, findVisibleUser, recordUserEvent } from "./visibility";

/** What a users command needs of the tRPC context: who acts, with what authority. */
export interface UsersContext {
  db: Executor & { transaction: <T>(run: (tx: Executor) => Promise<T>) => Promise<T> };
  auth: Auth;
  actor: AuditActor;
  authority: Authority;
  user: { id: string; name?: string; email?: string };
}

function forbidden(message: string): TRPCError {
  return new TRPCError({ code: "FORBIDDEN", message });
}

// ---------------------------------------------------------------------------------------------
// The rules. Each command calls them, and the queries compute the `can` flags by calling the same
// functions (through `allows`), so a flag cannot disagree with what the command does.
// ---------------------------------------------------------------------------------------------

/** A user as the account-wide rules see them: what they hold, and every domain they belong to. */
export interface AccountTarget {
  id: string;
  email: string;
  authority: Authority;
  /** Every domain the account holds any role in, the permission-less member role included. */
  domainIds: string[];
  /** Holds the owner role globally. */
  owner: boolean;
}

/** The account-wide facts of many users in one query, for a page of `can` flags or one command. */
export async function loadAccountTargets(
  db: Executor,
  users: readonly { id: string; email: string }[],
): Promise<Map<string, AccountTarget>> {
  const targets = new Map<string, AccountTarget>();
  if (users.length === 0) return targets;
  const rows = await db
    .select({
      userId: roleAssignment.userId,
      roleId: roleAssignment.roleId,
      domainId: roleAssignment.domainId,
      permission: rolePermission.permission,
    })
    .from(roleAssignment)
    .leftJoin(rolePermission, eq(rolePermission.roleId, roleAssignment.roleId))
    .where(inArray(roleAssignment.userId, users.map(({ id }) => id)));
  const held = new Map<string, { global: Set<Permission>; byDomain: Map<string, Set<Permission>>; domainIds: Set<string>; owner: boolean }>();
  for (const { id } of users) held.set(id, { global: new Set(), byDomain: new Map(), domainIds: new Set(), owner: false });
  for (const row of rows) {
    const facts = held.get(row.userId);
    if (!facts) continue;
    if (row.domainId !== null) facts.domainIds.add(row.domainId);
    if (row.roleId === OWNER_ROLE_ID && row.domainId === null) facts.owner = true;
    // A value outside the vocabulary can only come from a hand-edited database; ignoring it fails closed.
    if (row.permission === null || !isPermission(row.permission)) continue;
    if (row.domainId === null) {
      facts.global.add(row.permission);
    } else {
      let set = facts.byDomain.get(row.domainId);
      if (!set) facts.byDomain.set(row.domainId, (set = new Set()));
      set.add(row.permission);
    }
  }
  for (const { id, email } of users) {
    const facts = held.get(id)!;
    targets.set(id, {
      id,
      email,
      authority: new Authority(facts.global, facts.byDomain),
      domainIds: [...facts.domainIds],
      owner: facts.owner,
    });
  }
  return targets;
}

/**
 * Ban, unban, delete, profile edits and new invitation links change the whole account, not one
 * tenant's view of it. A caller without `permission` globally may only act on accounts that live
 * entirely inside domains where they hold it. Either way, nobody acts on an account that holds
 * permissions they lack.
 */
export function assertMayActOnAccount(authority: Authority, permission: Permission, target: AccountTarget): void {
  if (!authority.has(permission, null)) {
    // The global member role grants nothing, so only global grants that carry permissions count.
    const confined =
      target.authority.global.size === 0 &&
      target.domainIds.length > 0 &&
      target.domainIds.every((domainId) => authority.has(permission, domainId));
    if (!confined) throw forbidden(`${target.email} also belongs outside your domains; ask a global administrator.`);
  }
  const missing = new Set<Permission>(missingPermissions(authority.global, target.authority.global));
  for (const domainId of target.authority.byDomain.keys()) {
    for (const lacking of missingPermissions(authority.in(domainId), target.authority.in(domainId))) missing.add(lacking);
  }
  if (missing.size > 0) {
    throw forbidden(`You cannot act on ${target.email}: they hold permissions you do not (${sortPermissions(missing).join(", ")}).`);
  }
}

/** `assertMayActOnAccount` for a caller that has only the target's id and email (the sessions commands). */
export async function assertAccountWideAuthority(
  db: Executor,
  authority: Authority,
  permission: Permission,
  target: { id: string; email: string },
): Promise<void> {
  assertMayActOnAccount(authority, permission, (await loadAccountTargets(db, [target])).get(target.id)!);
}

const SELF_REFUSALS = {
  ban: "You cannot ban your own account.",
  delete: "You cannot delete your own account; ask another administrator.",
  resetMfa: "Change your own second factors on Account > Security, where your password is asked for.",
} as const;

export function assertNotSelf(callerId: string, target: { id: string }, doing: keyof typeof SELF_REFUSALS): void {
  if (callerId === target.id) throw forbidden(SELF_REFUSALS[doing]);
}

/** An owner can be banned or deleted only while another owner who is not banned remains. */
export function assertNotLastOwner(activeOwners: ReadonlySet<string>, target: AccountTarget): void {
  if (target.owner) assertAnotherOwnerAmong(activeOwners, target);
}

/** Who acts, for the rules: their authority, their id, and (for ban and delete) the owners who can still sign in. */
export interface Actor {
  authority: Authority;
  userId: string;
  activeOwners: ReadonlySet<string>;
}

export function assertMayUpdate(actor: Actor, target: AccountTarget): void {
  assertMayActOnAccount(actor.authority, "users:write", target);
}

export function assertMayReinvite(actor: Actor, target: AccountTarget): void {
  assertMayActOnAccount(actor.authority, "users:write", target);
}

/** Emailing a new link to the invitee's own address: the rule of handing one out, as users.invite needs users:write. */
export function assertMayResendInvitation(actor: Actor, target: AccountTarget): void {
  assertMayActOnAccount(actor.authority, "users:write", target);
}

export function assertMayBan(actor: Actor, target: AccountTarget): void {
  assertMayActOnAccount(actor.authority, "users:admin", target);
  assertNotSelf(actor.userId, target, "ban");
  assertNotLastOwner(actor.activeOwners, target);
}

export function assertMayUnban(actor: Actor, target: AccountTarget): void {
  assertMayActOnAccount(actor.authority, "users:admin", target);
}

export function assertMayResetMfa(actor: Actor, target: AccountTarget): void {
  assertMayActOnAccount(actor.authority, "users:admin", target);
  assertNotSelf(actor.userId, target, "resetMfa");
}

export function assertMayDelete(actor: Actor, target: AccountTarget): void {
  assertMayActOnAccount(actor.authority, "users:delete", target);
  assertNotSelf(actor.userId, target, "delete");
  assertNotLastOwner(actor.activeOwners, target);
}

/**
 * Where a new account may be placed: users:write in that scope. A domain the caller cannot read
 * users in is NOT_FOUND; the global scope exists for everyone, so lacking it there is FORBIDDEN.
 */
export function assertMayPlaceIn(authority: Authority, domainId: string | null): void {
  if (domainId === null) {
    if (!authority.has("users:write", null)) {
      throw forbidden("You need the users:write permission globally; choose one of your domains instead.");
    }
    return;
  }
  authorizeIn(authority, { permission: "users:write", domainId, visibleWith: "users:read", notFound: "Domain not found." });
}

/** A new account's role: one with permissions needs roles:admin in the scope, and every permission it carries. */
export function assertMayGiveNewAccountRole(authority: Authority, permissions: readonly Permission[], domainId: string | null): void {
  if (permissions.length > 0 && !authority.has("roles:admin", domainId)) {
    throw forbidden(
      `You need the roles:admin permission ${domainId === null ? "globally" : "in this domain"} to give a new account a role with permissions.`,
    );
  }
  assertHoldsAll(authority, permissions, domainId, "grant");
}

/** Where a new account is placed: a role in a domain, or in the global scope when `domainId` is null. */
export interface Placement {
  roleId: string;
  domainId: string | null;
}

async function authorizePlacement(
  db: Executor,
  authority: Authority,
  requested: { roleId?: string | undefined; domainId?: string | undefined },
): Promise<Placement> {
  const domainId = requested.domainId ?? null;
  assertMayPlaceIn(authority, domainId);
  if (domainId !== null) {
    const [row] = await db.select({ id: domain.id }).from(domain).where(eq(domain.id, domainId)).limit(1);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Domain not found." });
  }
  const roleId = (await findRole(db, requested.roleId ?? MEMBER_ROLE_ID)).id;
  assertMayGiveNewAccountRole(authority, await permissionsOfRole(db, roleId), domainId);
  // The rule roles.assign enforces: the owner role means the whole installation.
  assertOwnerOnlyGlobal(roleId, [domainId]);
  return { roleId, domainId };
}

/**
 * A verified address makes its account a member of the domain that claims the address's email
 * domain. Only someone who may write users there (or globally) may create an account with such an
 * address: otherwise a domain administrator could plant an account whose password they know in a
 * tenant they do not run, to be let in as soon as its owner confirms the address.
 */
async function assertMayUseEmailDomain(db: Executor, authority: Authority, email: string): Promise<void> {
  const claimedBy = await claimingDomainOf(db, email);
  if (claimedBy === null || authority.has("users:write", claimedBy)) return;
  throw forbidden(
    `Addresses at ${emailDomainOf(email)} belong to a domain you do not administer. Ask one of its administrators, or a global administrator, to create this account.`,
  );
}

/** A new account given a role that carries permissions is a role grant like any other: it needs a step-up. */
export async function placesWithPermissions(db: Executor, input: { roleId?: string | undefined }): Promise<boolean> {
  return (await permissionsOfRole(db, input.roleId ?? MEMBER_ROLE_ID)).length > 0;
}

/** Gives a new account its requested role. Global member is already there from the default memberships. */
async function assignPlacement(tx: Executor, userId: string, placement: Placement): Promise<void> {
  // A unique index does not stop a second global (NULL-domain) row, so the default one is looked for.
  if (placement.roleId === MEMBER_ROLE_ID && placement.domainId === null) {
    const [existing] = await tx
      .select({ id: roleAssignment.id })
      .from(roleAssignment)
      .where(and(eq(roleAssignment.userId, userId), eq(roleAssignment.roleId, MEMBER_ROLE_ID), isNull(roleAssignment.domainId)))
      .limit(1);
    if (existing) return;
  }
  // The email-domain claim may already have made the account a member of the same domain.
  await tx.insert(roleAssignment).values({ id: randomUUID(), userId, roleId: placement.roleId, domainId: placement.domainId }).onConflictDoNothing();
}

// ---------------------------------------------------------------------------------------------
// The commands: one transaction each, with its audit event.
// ---------------------------------------------------------------------------------------------

function publicUrlOf(baseURL: unknown): string {
  if (typeof baseURL !== "string") throw new Error("better-auth is configured without a static baseURL.");
  return baseURL;
}

/** The visible user named by `id` with the facts the rules need; NOT_FOUND for one the caller cannot see. */
async function loadTarget(tx: Executor, authority: Authority, id: string) {
  const row = await findVisibleUser(tx, authority, "users:read", id);
  return { row, target: (await loadAccountTargets(tx, [row])).get(row.id)! };
}

async function actorOf(tx: Executor, ctx: UsersContext, withOwners: boolean): Promise<Actor> {
  return { authority: ctx.authority, userId: ctx.user.id, activeOwners: withOwners ? await activeOwnerIds(tx) : new Set() };
}

export async function createUser(ctx: UsersContext, input: z.output<typeof createUserInput>) {
  // Hashing is slow on purpose; doing it first keeps the write lock short.
  const passwordHash = await hashPassword(ctx.auth, input.password);
  return ctx.db.transaction(async (tx) => {
    const placement = await authorizePlacement(tx, ctx.authority, input);
    await assertMayUseEmailDomain(tx, ctx.authority, input.email);
    await assertEmailFree(tx, input.email);
    const created = await createAccount(ctx.auth, tx, { email: input.email, name: input.name, emailVerified: false, passwordHash });
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
}

/** "Ada (ada@example.com)": who invited, as the invitation email names them. */
function inviterOf(ctx: UsersContext): string | null {
  if (!ctx.user.email) return null;
  return ctx.user.name ? `${ctx.user.name} (${ctx.user.email})` : ctx.user.email;
}

/**
 * Creates the account, its placement and its invitation in one transaction, then emails the link to
 * the invitee. The answer carries the link too (for an administrator to hand over when mail is not
 * set up) and whether the email went.
 */
export async function inviteUser(ctx: UsersContext, input: z.output<typeof inviteUserInput>) {
  const invited = await ctx.db.transaction(async (tx) => {
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
  });
  const emailed = await emailInvitation(
    ctx.auth,
    invitationMessage({ to: invited.email, link: invited.inviteUrl, expiresAt: invited.expiresAt, invitedBy: inviterOf(ctx) }),
  );
  return { ...invited, emailed };
}

export async function reinviteUser(ctx: UsersContext, input: { id: string }) {
  return ctx.db.transaction(async (tx) => {
    const { target } = await loadTarget(tx, ctx.authority, input.id);
    assertMayReinvite(await actorOf(tx, ctx, false), target);
    if (!(await pendingInvitation(tx, target.id)) || (await hasPassword(tx, target.id))) {
      throw new TRPCError({ code: "CONFLICT", message: `${target.email} has no pending invitation.` });
    }
    const { token, expiresAt } = await issueInvitation(tx, { userId: target.id, invitedBy: ctx.user.id });
    await recordUserEvent(tx, ctx.actor, "user.reinvited", target.id, { email: target.email, expiresAt });
    return { id: target.id, email: target.email, inviteUrl: invitationUrl(publicUrlOf(ctx.auth.options.baseURL), token), expiresAt };
  });
}

/** Invited and no password yet: the only accounts an invitation link can still be sent for. */
async function assertStillInvited(tx: Executor, target: { id: string; email: string }): Promise<void> {
  if (!(await pendingInvitation(tx, target.id)) || (await hasPassword(tx, target.id))) {
    throw new TRPCError({ code: "CONFLICT", message: `${target.email} has no pending invitation: they have already set a password.` });
  }
}

/**
 * Emails a new invitation link to the invitee's address; the earlier link stops working. Unlike
 * reinvite, the link is not in the answer: only the mailbox's reader gets it. Sent after the commit;
 * `emailed` says whether it went (the new link exists either way, so a retry sends another).
 */
export async function resendInvitation(ctx: UsersContext, input: { id: string }) {
  const issued = await ctx.db.transaction(async (tx) => {
    const { target } = await loadTarget(tx, ctx.authority, input.id);
    assertMayResendInvitation(await actorOf(tx, ctx, false), target);
    await assertStillInvited(tx, target);
    const { token, expiresAt } = await issueInvitation(tx, { userId: target.id, invitedBy: ctx.user.id });
    await recordUserEvent(tx, ctx.actor, "user.invitation_resent", target.id, { email: target.email, expiresAt });
    return { id: target.id, email: target.email, link: invitationUrl(publicUrlOf(ctx.auth.options.baseURL), token), expiresAt };
  });
  const emailed = await emailInvitation(
    ctx.auth,
    invitationMessage({ to: issued.email, link: issued.link, expiresAt: issued.expiresAt, invitedBy: inviterOf(ctx) }),
  );
  return { id: issued.id, email: issued.email, expiresAt: issued.expiresAt, emailed };
}

export async function updateUser(ctx: UsersContext, input: z.output<typeof updateUserInput>) {
  return ctx.db.transaction(async (tx) => {
    const { row, target } = await loadTarget(tx, ctx.authority, input.id);
    assertMayUpdate(await actorOf(tx, ctx, false), target);
    const updated = await withAuthWrites(ctx.auth, tx, (internal) => internal.updateUser(target.id, { name: input.name }));
    await recordUserEvent(tx, ctx.actor, "user.updated", target.id, { before: { name: row.name }, after: { name: input.name } });
    return { id: target.id, email: target.email, name: updated?.name ?? input.name };
  });
}

export async function banUser(ctx: UsersContext, input: z.output<typeof banUserInput>) {
  return ctx.db.transaction((tx) => banIn(tx, ctx, input.id, input.reason ?? ""));
}

/** One ban inside the caller's transaction, by the rule users.ban enforces, with its audit event. */
async function banIn(tx: Executor, ctx: UsersContext, id: string, reason: string) {
  const { target } = await loadTarget(tx, ctx.authority, id);
  assertMayBan(await actorOf(tx, ctx, true), target);
  const [existing] = await tx.select({ userId: userBan.userId }).from(userBan).where(eq(userBan.userId, target.id)).limit(1);
  if (existing) throw new TRPCError({ code: "CONFLICT", message: `${target.email} is already banned.` });
  const bannedAt = new Date();
  await tx.insert(userBan).values({ userId: target.id, reason, bannedBy: ctx.user.id, bannedAt });
  await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteUserSessions(target.id));
  const revoked = await revokeGrants(tx, { userId: target.id }, "user_banned");
  await recordUserEvent(tx, ctx.actor, "user.banned", target.id, { email: target.email, reason, ...revocationDetails(revoked) });
  return { id: target.id, banned: { reason, bannedAt, bannedBy: ctx.user.id } };
}

/**
 * Bans several users in one transaction, each by the very rule of users.ban and with its own audit
 * event; the first user the caller may not ban refuses the whole batch, so nothing is written.
 */
export async function banUsers(ctx: UsersContext, input: z.output<typeof banUsersInput>) {
  return ctx.db.transaction(async (tx) => {
    const banned = [];
    for (const id of input.ids) banned.push(await eachOrNothing(`User ${id}`, () => banIn(tx, ctx, id, input.reason ?? "")));
    return { banned };
  });
}

export async function unbanUser(ctx: UsersContext, input: { id: string }) {
  return ctx.db.transaction(async (tx) => {
    const { target } = await loadTarget(tx, ctx.authority, input.id);
    assertMayUnban(await actorOf(tx, ctx, false), target);
    const [lifted] = await tx.delete(userBan).where(eq(userBan.userId, target.id)).returning({ reason: userBan.reason });
    if (!lifted) throw new TRPCError({ code: "CONFLICT", message: `${target.email} is not banned.` });
    await recordUserEvent(tx, ctx.actor, "user.unbanned", target.id, { email: target.email, previousReason: lifted.reason });
    return { id: target.id, banned: null };
  });
}

export async function resetUserMfa(ctx: UsersContext, input: { id: string }) {
  const { row, removed } = await ctx.db.transaction(async (tx) => {
    const { row, target } = await loadTarget(tx, ctx.authority, input.id);
    assertMayResetMfa(await actorOf(tx, ctx, false), target);
    const removed = await removeAllSecondFactors(tx, target.id);
    if (!removed.enrolled) throw new TRPCError({ code: "CONFLICT", message: `${target.email} has no second factor to reset.` });
    await recordUserEvent(tx, ctx.actor, "user.mfa_reset", target.id, { email: target.email, methods: removed.methods, passkeys: removed.passkeys });
    return { row, removed };
  });
  // After the commit: the owner hears of a change that has happened, and the email is not sent
  // from inside the write lock.
  await (await ctx.auth.$context).securityNotices.mfaReset(row, removed);
  return { id: row.id, mfa: NOT_ENROLLED };
}

export async function deleteUser(ctx: UsersContext, input: { id: string }) {
  return ctx.db.transaction(async (tx) => {
    const { row, target } = await loadTarget(tx, ctx.authority, input.id);
    assertMayDelete(await actorOf(tx, ctx, true), target);
    const domainId = await auditDomainOf(tx, target.id);
    await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteUser(target.id));
    await recordEvent(tx, ctx.actor, {
      action: "user.deleted",
      targetType: "user",
      targetId: target.id,
      domainId,
      details: { email: target.email, name: row.name },
    });
    return { id: target.id };
  });
}
