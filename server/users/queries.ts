import { TRPCError } from "@trpc/server";
import { and, asc, count, desc, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Executor } from "@/db/client";
import { MEMBER_ROLE_ID, OWNER_ROLE_ID, domain, role, roleAssignment, rolePermission, session, user, userBan, userSignIn } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import { activeOwnerIds, assertAnotherOwnerAmong } from "@/server/authz/owner";
import { permissionsOfRoles } from "@/server/roles/queries";
import { assertMayAdministerAssignments, assertMayGiveRole, assertMayTakeRole, assertNotSelf, removesOwnership } from "@/server/roles/rules";
import { sortableKeyset, type Page } from "@/server/paging";
import { allows } from "@/server/trpc/procedures";
import {
  assertMayBan,
  assertMayDelete,
  assertMayGiveNewAccountRole,
  assertMayPlaceIn,
  assertMayReinvite,
  assertMayResendInvitation,
  assertMayResetMfa,
  assertMayUnban,
  assertMayUpdate,
  loadAccountTargets,
  type AccountTarget,
  type Actor,
} from "./commands";
import type { ListUsersInput } from "./inputs";
import { hasPassword, invitedAmong, pendingInvitation } from "./invitation";
import { enrolmentMissingCondition, mfaRequiredUserIds, mfaStatus, NOT_ENROLLED, type MfaStatus } from "./mfa";
import { ASSIGNMENT_PLACEMENT, assignmentInScope, findVisibleUser, type UserScope } from "./visibility";
import { domainOptions } from "@/server/domains/queries";

export interface UserRole {
  roleId: string;
  roleName: string;
  domainId: string | null;
  domainName: string | null;
}

export interface UserRoleAssignment extends UserRole {
  assignmentId: string;
  createdAt: Date;
}

/** What the caller may do to a user, each flag computed by the rule its mutation enforces. */
export interface UserCan {
  update: boolean;
  reinvite: boolean;
  /** Permission only, like the other flags: a resend also needs the user still `invited`. */
  resendInvitation: boolean;
  ban: boolean;
  unban: boolean;
  resetMfa: boolean;
  delete: boolean;
}

export interface UserListItem {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  createdAt: Date;
  /** Null when the account never completed a sign-in since last sign-ins were recorded. */
  lastSignInAt: Date | null;
  banned: boolean;
  /** Invited and no password set yet: the console shows "Invited", and may offer to resend the link. */
  invited: boolean;
  mfa: MfaStatus;
  roles: UserRole[];
  can: UserCan;
}

async function actorFor(db: Executor, authority: Authority, callerId: string): Promise<Actor> {
  return { authority, userId: callerId, activeOwners: await activeOwnerIds(db) };
}

async function userCan(actor: Actor, target: AccountTarget): Promise<UserCan> {
  const [update, reinvite, resendInvitation, ban, unban, resetMfa, remove] = await Promise.all([
    allows(() => assertMayUpdate(actor, target)),
    allows(() => assertMayReinvite(actor, target)),
    allows(() => assertMayResendInvitation(actor, target)),
    allows(() => assertMayBan(actor, target)),
    allows(() => assertMayUnban(actor, target)),
    allows(() => assertMayResetMfa(actor, target)),
    allows(() => assertMayDelete(actor, target)),
  ]);
  return { update, reinvite, resendInvitation, ban, unban, resetMfa, delete: remove };
}

/** 0 for an account that never signed in, so that the sort value is never NULL. */
const lastSignIn = sql<number>`coalesce((select ${userSignIn.lastSignInAt} from ${userSignIn} where ${userSignIn.userId} = ${user.id}), 0)`;

/**
 * Sorted by last sign-in, the list reads user_sign_in (every user has a row, 0 until the first
 * sign-in: a trigger adds it) through user_sign_in_last_idx in order and joins user by key, so a
 * page reads about a page of rows; the sort value and tie-breaker are that table's columns.
 */
const signInAt = sql<number>`${userSignIn.lastSignInAt}`;

const userOrder = sortableKeyset(
  "users",
  {
    email: { expression: user.email, type: "string" },
    name: { expression: user.name, type: "string" },
    createdAt: { expression: user.createdAt, type: "number" },
    lastSignIn: { expression: signInAt, type: "number" },
  },
  user.id,
);

/**
 * The role assignments of some users that `scope` may see, oldest first, in one query. The scope is
 * applied here rather than in SQL so that SQLite always drives from role_assignment_user_idx: a
 * domain condition tempts it into reading the whole domain through role_assignment_domain_idx.
 */
export async function rolesOfUsers(
  db: Executor,
  scope: UserScope,
  userIds: readonly string[],
): Promise<Map<string, (UserRoleAssignment & { userId: string })[]>> {
  const byUser = new Map<string, (UserRoleAssignment & { userId: string })[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .select({
      userId: roleAssignment.userId,
      assignmentId: roleAssignment.id,
      roleName: role.name,
      ...ASSIGNMENT_PLACEMENT,
    })
    .from(roleAssignment)
    .innerJoin(role, eq(role.id, roleAssignment.roleId))
    .leftJoin(domain, eq(domain.id, roleAssignment.domainId))
    .where(inArray(roleAssignment.userId, [...userIds]))
    .orderBy(asc(roleAssignment.createdAt), asc(roleAssignment.id));
  const readable = scope.all ? null : new Set(scope.domainIds);
  for (const row of rows) {
    if (readable && (row.domainId === null || !readable.has(row.domainId))) continue;
    let list = byUser.get(row.userId);
    if (!list) byUser.set(row.userId, (list = []));
    list.push(row);
  }
  return byUser;
}

/**
 * Which assignments put a user in the list: any in the readable scope, narrowed to one domain
 * and/or one role. Null when every user qualifies (a global reader without filters).
 */
function membershipFilter(
  scope: UserScope,
  input: { domainId?: string | undefined; roleId?: string | undefined },
): { domain: SQL | undefined; roleId: string | undefined } | null {
  const domainCondition =
    input.domainId !== undefined ? eq(roleAssignment.domainId, input.domainId) : assignmentInScope(scope);
  if (domainCondition === undefined && input.roleId === undefined) return null;
  return { domain: domainCondition, roleId: input.roleId };
}

/**
 * Up to this many matching assignments, a page is cheapest built from role_assignment's indexes
 * and sorted (about 1 ms per thousand rows); beyond it, walking user by email fills a page fast
 * because members are dense. Either plan alone is slow somewhere: at 100k users, a 10-user domain
 * costs a full walk of user (~160 ms), a 50k-user domain a 50k-row sort (~40 ms), on every page.
 */
export const SMALL_MEMBERSHIP = 5000;

async function isSmallMembership(db: Executor, matching: SQL | undefined): Promise<boolean> {
  const bounded = db
    .select({ one: sql<number>`1`.as("one") })
    .from(roleAssignment)
    .where(matching)
    .limit(SMALL_MEMBERSHIP + 1)
    .as("bounded");
  const [row] = await db.select({ total: count() }).from(bounded);
  return (row?.total ?? 0) <= SMALL_MEMBERSHIP;
}

/** Whether a query selecting user ids yields at most SMALL_MEMBERSHIP rows, reading at most one more. */
async function isSmall(db: Executor, ids: SQL): Promise<boolean> {
  const [row] = await db.all<{ total: number }>(sql`select count(*) as total from (${ids} limit ${SMALL_MEMBERSHIP + 1})`);
  return (row?.total ?? 0) <= SMALL_MEMBERSHIP;
}

/** The membership condition on user, with the order that steers SQLite to the intended plan. */
async function membershipPlan(
  db: Executor,
  filter: { domain: SQL | undefined; roleId: string | undefined } | null,
): Promise<{ where: SQL | undefined; orderBy: SQL | typeof user.email; small: boolean }> {
  if (filter === null) return { where: undefined, orderBy: user.email, small: false };
  const matching = and(filter.domain, filter.roleId === undefined ? undefined : eq(roleAssignment.roleId, filter.roleId));
  if (await isSmallMembership(db, matching)) {
    // `+email` stops SQLite from walking the email index: it looks the few members up by id and sorts them.
    return {
      where: inArray(user.id, db.select({ userId: roleAssignment.userId }).from(roleAssignment).where(matching)),
      orderBy: sql`+${user.email}`,
      small: true,
    };
  }
  // `+role_id` keeps the per-user probe on role_assignment_user_idx/_domain_idx; otherwise SQLite
  // picks role_assignment_role_idx and reads every holder of the role for each candidate user.
  const probe = and(filter.domain, filter.roleId === undefined ? undefined : sql`+${roleAssignment.roleId} = ${filter.roleId}`);
  return {
    where: sql`exists (select 1 from ${roleAssignment} where ${roleAssignment.userId} = ${user.id} and ${probe})`,
    orderBy: user.email,
    small: false,
  };
}

function searchFilter(search: string | undefined): SQL | undefined {
  if (!search) return undefined;
  const needle = search.toLowerCase();
  return or(sql`instr(lower(${user.email}), ${needle}) > 0`, sql`instr(lower(${user.name}), ${needle}) > 0`);
}

async function assertDomainReadable(db: Executor, authority: Authority, domainId: string): Promise<void> {
  const notFound = new TRPCError({ code: "NOT_FOUND", message: "Domain not found." });
  if (!authority.has("users:read", domainId)) throw notFound;
  const [row] = await db.select({ id: domain.id }).from(domain).where(eq(domain.id, domainId)).limit(1);
  if (!row) throw notFound;
}

/**
 * A page of the users the caller can read, in the order asked for, each with what the caller may do to
 * them: one query for the page, one each for its roles, bans, second factors and the account-wide
 * facts its flags need, for filtered lists a bounded count that picks the page's plan, and on the
 * first page the `total` of users matching the filters.
 */
export async function listUsers(
  db: Executor,
  authority: Authority,
  callerId: string,
  input: ListUsersInput,
): Promise<Page<UserListItem> & { total?: number }> {
  const scope = authority.scopeOf("users:read");
  if (input.domainId !== undefined) await assertDomainReadable(db, authority, input.domainId);
  const filter = membershipFilter(scope, input);
  const [membership, mfaFew] = await Promise.all([
    membershipPlan(db, filter),
    input.mfa === "missing" ? isSmall(db, sql`${mfaRequiredUserIds}`) : false,
  ]);
  const small = membership.small || mfaFew;
  // A search reads all of user whatever the order, so sorted by last sign-in it looks each match's
  // sign-in up and sorts them (as the other orders sort a small membership); walking user_sign_in
  // in order instead would look every user up to test the search on them.
  const bySignIn = input.sort.by === "lastSignIn" && !input.search;
  // A small membership is looked up and sorted whatever the order (`+column` keeps SQLite off the
  // order's index, which would walk every user); a large one walks the order's index.
  const steer = (column: SQL | typeof user.email | typeof user.name | typeof user.createdAt) =>
    small ? { orderBy: sql`+${column}` } : {};
  const order = userOrder.plan(
    input.sort,
    input.cursor,
    input.sort.by === "email"
      ? { orderBy: small ? sql`+${user.email}` : membership.orderBy }
      : input.sort.by === "name"
        ? steer(user.name)
        : input.sort.by === "createdAt"
          ? steer(user.createdAt)
          : bySignIn
            ? { id: userSignIn.userId, ...steer(signInAt) }
            : { column: lastSignIn },
  );

  const matching = and(
    membership.where,
    searchFilter(input.search),
    // The rule the MFA gate enforces, so the list shows exactly who the gate would stop.
    input.mfa === "missing" ? enrolmentMissingCondition(user.id) : undefined,
    // The same users, as a set SQLite can start from when it is small.
    mfaFew ? sql`${user.id} in (${mfaRequiredUserIds})` : undefined,
  );
  const columns = {
    id: user.id,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerified,
    createdAt: user.createdAt,
    lastSignIn: bySignIn ? signInAt : lastSignIn,
  };
  const rows = await (bySignIn
    ? db.select(columns).from(userSignIn).innerJoin(user, eq(user.id, userSignIn.userId))
    : db.select(columns).from(user)
  )
    .where(and(order.where, matching))
    .orderBy(...order.orderBy)
    .limit(input.limit + 1);
  // Counted on the first page only: a later page is reached from the first, whose total the console
  // keeps. A first page that holds every match is its own count: a search that matches few users
  // has already read all of user once, and need not read it again to count them.
  const total =
    input.cursor !== undefined
      ? undefined
      : rows.length <= input.limit
        ? rows.length
        : input.search || input.mfa === "missing" || filter === null
          ? await countUsers(db, matching)
          : await countMembers(db, filter);

  const page = userOrder.page(rows, input.limit, input.sort, (row) => ({
    value: input.sort.by === "email" ? row.email : input.sort.by === "name" ? row.name : input.sort.by === "createdAt" ? row.createdAt.getTime() : row.lastSignIn,
    id: row.id,
  }));
  const ids = page.items.map((row) => row.id);
  const [roles, mfa, banned, invited, targets, actor] = await Promise.all([
    rolesOfUsers(db, scope, ids),
    mfaStatus(db, ids),
    bannedAmong(db, ids),
    invitedAmong(db, ids),
    loadAccountTargets(db, page.items),
    actorFor(db, authority, callerId),
  ]);
  const items = await Promise.all(
    page.items.map(async ({ lastSignIn: lastSignInAt, ...row }) => ({
      ...row,
      lastSignInAt: lastSignInAt === 0 ? null : new Date(lastSignInAt),
      banned: banned.has(row.id),
      invited: invited.has(row.id),
      mfa: mfa.get(row.id) ?? NOT_ENROLLED,
      roles: (roles.get(row.id) ?? []).map(({ roleId, roleName, domainId, domainName }) => ({ roleId, roleName, domainId, domainName })),
      can: await userCan(actor, targets.get(row.id)!),
    })),
  );
  return { items, nextCursor: page.nextCursor, ...(total === undefined ? {} : { total }) };
}

/**
 * How many users hold an assignment matching a membership filter, counted in role_assignment's
 * indexes: as many as users.list's membership condition selects, without walking user.
 */
async function countMembers(db: Executor, filter: { domain: SQL | undefined; roleId: string | undefined }): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`count(distinct ${roleAssignment.userId})` })
    .from(roleAssignment)
    .where(and(filter.domain, filter.roleId === undefined ? undefined : eq(roleAssignment.roleId, filter.roleId)));
  return row?.total ?? 0;
}

/** How many users match a list's filters, whatever the page: one COUNT over the list's own conditions. */
async function countUsers(db: Executor, matching: SQL | undefined): Promise<number> {
  const [row] = await db.select({ total: count() }).from(user).where(matching);
  return row?.total ?? 0;
}

async function bannedAmong(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ userId: userBan.userId }).from(userBan).where(inArray(userBan.userId, [...ids]));
  return new Set(rows.map(({ userId }) => userId));
}

// roles.assign and roles.unassign as the user drawer offers them: flags computed by the roles
// module's own rules (server/roles/rules.ts), the ones those two mutations enforce.

export interface RoleChoice {
  roleId: string;
  roleName: string;
  can: { assign: boolean };
}

export interface AssignableScope {
  /** Null for the global scope ("All domains"). */
  domainId: string | null;
  domainName: string | null;
  roles: RoleChoice[];
}

export interface UserDetail {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  image: string | null;
  createdAt: Date;
  updatedAt: Date;
  roles: (UserRoleAssignment & { can: { unassign: boolean } })[];
  /** Sessions that have not expired yet. */
  sessionsCount: number;
  mfa: MfaStatus;
  banned: { reason: string; bannedAt: Date; bannedByEmail: string | null; bannedBy: string | null } | null;
  hasPassword: boolean;
  /** Invited and not yet accepted (the link may have expired; `reinvite` issues a new one). */
  invitationPending: boolean;
  /** As on the list's rows: invited and no password set yet. */
  invited: boolean;
  invitationExpiresAt: Date | null;
  can: UserCan;
  /** Where, and which roles, the caller may give this user; empty when they may give none. */
  assignable: AssignableScope[];
}

const banner = alias(user, "banner");

/** The domains where `permission` holds for the caller, by name: all of them for a global holder. */
function domainsWhere(db: Executor, authority: Authority, permission: "users:read" | "users:write" | "roles:admin") {
  return domainOptions(db, authority.scopeOf(permission));
}

/** Every role, built-in first and then by name, with its permissions. */
async function rolesWithPermissions(db: Executor) {
  const rows = await db.select({ id: role.id, name: role.name }).from(role).orderBy(desc(role.builtIn), asc(role.name));
  const permissions = await permissionsOfRoles(
    db,
    rows.map(({ id }) => id),
  );
  return rows.map((row) => ({ ...row, permissions: permissions.get(row.id) ?? [] }));
}

/** Whether the user holds a role that carries permissions, anywhere: resending their invitation then needs a step-up, as inviting them did. */
export async function holdsPermissions(db: Executor, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(roleAssignment)
    .innerJoin(rolePermission, eq(rolePermission.roleId, roleAssignment.roleId))
    .where(eq(roleAssignment.userId, userId))
    .limit(1);
  return row !== undefined;
}

/** Everything the user drawer shows, for a user the caller can read; NOT_FOUND otherwise. */
export async function userDetail(db: Executor, authority: Authority, callerId: string, id: string, now = new Date()): Promise<UserDetail> {
  const target = await findVisibleUser(db, authority, "users:read", id);
  const [roles, [sessions], [ban], mfa, password, invitation, targets, actor] = await Promise.all([
    rolesOfUsers(db, authority.scopeOf("users:read"), [id]),
    db
      .select({ total: count() })
      .from(session)
      .where(and(eq(session.userId, id), gt(session.expiresAt, now))),
    db
      .select({ reason: userBan.reason, bannedAt: userBan.bannedAt, bannedBy: userBan.bannedBy, bannedByEmail: banner.email })
      .from(userBan)
      .leftJoin(banner, eq(banner.id, userBan.bannedBy))
      .where(eq(userBan.userId, id))
      .limit(1),
    mfaStatus(db, [id]),
    hasPassword(db, id),
    pendingInvitation(db, id),
    loadAccountTargets(db, [target]),
    actorFor(db, authority, callerId),
  ]);
  const assignments = (roles.get(id) ?? []).map(({ userId: _userId, ...assignment }) => assignment);
  const givesRoles = callerId !== id && authority.hasAnywhere("roles:read") && authority.hasAnywhere("roles:admin");
  const allRoles = assignments.length > 0 || givesRoles ? await rolesWithPermissions(db) : [];
  const permissionsOf = new Map(allRoles.map((row) => [row.id, row.permissions]));

  const unassignable = (assignment: UserRoleAssignment) =>
    allows(() => {
      assertMayAdministerAssignments(authority, assignment.domainId);
      assertNotSelf(callerId, id);
      assertMayTakeRole(authority, permissionsOf.get(assignment.roleId) ?? [], assignment.domainId);
      if (removesOwnership(assignment.roleId, assignment.domainId)) assertAnotherOwnerAmong(actor.activeOwners, target);
    });

  let assignable: AssignableScope[] = [];
  if (givesRoles) {
    const scopes = [
      ...(authority.has("roles:admin", null) ? [{ id: null, name: null }] : []),
      ...(await domainsWhere(db, authority, "roles:admin")),
    ];
    assignable = await Promise.all(
      scopes.map(async (scope) => ({
        domainId: scope.id,
        domainName: scope.name,
        roles: await Promise.all(
          allRoles.map(async (choice) => ({
            roleId: choice.id,
            roleName: choice.name,
            can: {
              // The owner role exists only in the global scope; the mutation refuses it in a domain.
              assign:
                !(choice.id === OWNER_ROLE_ID && scope.id !== null) &&
                (await allows(() => {
                  assertMayAdministerAssignments(authority, scope.id);
                  assertMayGiveRole(authority, choice.permissions, scope.id);
                })),
            },
          })),
        ),
      })),
    );
  }

  return {
    id: target.id,
    email: target.email,
    name: target.name,
    emailVerified: target.emailVerified,
    image: target.image,
    createdAt: target.createdAt,
    updatedAt: target.updatedAt,
    roles: await Promise.all(assignments.map(async (assignment) => ({ ...assignment, can: { unassign: await unassignable(assignment) } }))),
    sessionsCount: sessions?.total ?? 0,
    mfa: mfa.get(id) ?? NOT_ENROLLED,
    banned: ban ?? null,
    hasPassword: password,
    invitationPending: invitation !== null,
    invited: invitation !== null && !password,
    invitationExpiresAt: invitation?.expiresAt ?? null,
    can: await userCan(actor, targets.get(id)!),
    assignable,
  };
}

// ---------------------------------------------------------------------------------------------
// What the users page offers: its filters, and where a new account can be placed.
// ---------------------------------------------------------------------------------------------

/** One scope and role a new account could be given, and whether the caller may create or invite it there. */
export interface Placement {
  /** Null for the global scope ("All domains"). */
  domainId: string | null;
  domainName: string | null;
  roleId: string;
  roleName: string;
  can: { create: boolean; invite: boolean };
}

export interface UsersOptions {
  /** Whether the caller may add accounts anywhere: the page's "Create user" and "Invite user". */
  can: { create: boolean; invite: boolean };
  /** The domains and roles the list can be filtered by; null where the caller may not read them. */
  filters: { domains: { id: string; name: string }[] | null; roles: { id: string; name: string }[] | null };
  /** Whether the new-user form offers a choice of role (the caller reads roles); otherwise accounts get member. */
  choosesRole: boolean;
  /** Every scope the caller may add accounts in, with each role they could give there. */
  placements: Placement[];
}

/**
 * The users page's choices, decided here so that the console holds no rule: the filters, and for
 * each scope where the caller may add accounts, which roles they may give a new account there (by
 * the same rules `create` and `invite` enforce; an address a domain claims may still be refused).
 */
export async function usersOptions(db: Executor, authority: Authority): Promise<UsersOptions> {
  const choosesRole = authority.hasAnywhere("roles:read");
  const [readable, writable, roles] = await Promise.all([
    domainsWhere(db, authority, "users:read"),
    domainsWhere(db, authority, "users:write"),
    rolesWithPermissions(db),
  ]);
  const offered = choosesRole ? roles : roles.filter((row) => row.id === MEMBER_ROLE_ID);
  const scopes = [...(authority.has("users:write", null) ? [{ id: null, name: null }] : []), ...writable];
  const placements: Placement[] = [];
  for (const scope of scopes) {
    for (const choice of offered) {
      // The owner role exists only in the global scope.
      if (choice.id === OWNER_ROLE_ID && scope.id !== null) continue;
      const allowed = await allows(() => {
        assertMayPlaceIn(authority, scope.id);
        assertMayGiveNewAccountRole(authority, choice.permissions, scope.id);
      });
      placements.push({
        domainId: scope.id,
        domainName: scope.name,
        roleId: choice.id,
        roleName: choice.name,
        can: { create: allowed, invite: allowed },
      });
    }
  }
  const adds = placements.some((placement) => placement.can.create);
  return {
    can: { create: adds, invite: adds },
    filters: {
      domains: authority.hasAnywhere("users:read") ? readable : null,
      roles: choosesRole ? roles.map(({ id, name }) => ({ id, name })) : null,
    },
    choosesRole,
    placements,
  };
}
