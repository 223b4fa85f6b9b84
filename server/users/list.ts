import { TRPCError } from "@trpc/server";
import { mfaStatus, NOT_ENROLLED, type MfaStatus } from "./mfa";
import { and, asc, count, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { domain, role, roleAssignment, user, userBan } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import type { ListUsersInput } from "./schemas";
import { assignmentInScope, type UserScope } from "./visibility";
import { decodeCursor, encodeCursor } from "@/server/paging";

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

export interface UserListItem {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  createdAt: Date;
  banned: boolean;
  mfa: MfaStatus;
  roles: UserRole[];
}

export interface UserPage {
  items: UserListItem[];
  nextCursor: string | null;
}

const emailCursor = z.object({ email: z.string().min(1).max(320) });

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
      roleId: roleAssignment.roleId,
      roleName: role.name,
      domainId: roleAssignment.domainId,
      domainName: domain.name,
      createdAt: roleAssignment.createdAt,
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

/** The membership condition on user, with the order that steers SQLite to the intended plan. */
async function membershipPlan(
  db: Executor,
  filter: { domain: SQL | undefined; roleId: string | undefined } | null,
): Promise<{ where: SQL | undefined; orderBy: SQL | typeof user.email }> {
  if (filter === null) return { where: undefined, orderBy: user.email };
  const matching = and(filter.domain, filter.roleId === undefined ? undefined : eq(roleAssignment.roleId, filter.roleId));
  if (await isSmallMembership(db, matching)) {
    // `+email` stops SQLite from walking the email index: it looks the few members up by id and sorts them.
    return {
      where: inArray(user.id, db.select({ userId: roleAssignment.userId }).from(roleAssignment).where(matching)),
      orderBy: sql`+${user.email}`,
    };
  }
  // `+role_id` keeps the per-user probe on role_assignment_user_idx/_domain_idx; otherwise SQLite
  // picks role_assignment_role_idx and reads every holder of the role for each candidate user.
  const probe = and(filter.domain, filter.roleId === undefined ? undefined : sql`+${roleAssignment.roleId} = ${filter.roleId}`);
  return {
    where: sql`exists (select 1 from ${roleAssignment} where ${roleAssignment.userId} = ${user.id} and ${probe})`,
    orderBy: user.email,
  };
}

function searchFilter(search: string | undefined): SQL | undefined {
  if (!search) return undefined;
  const needle = search.toLowerCase();
  return or(sql`instr(lower(${user.email}), ${needle}) > 0`, sql`instr(lower(${user.name}), ${needle}) > 0`);
}

export async function assertDomainReadable(db: Executor, authority: Authority, domainId: string): Promise<void> {
  const notFound = new TRPCError({ code: "NOT_FOUND", message: "Domain not found." });
  if (!authority.has("users:read", domainId)) throw notFound;
  const [row] = await db.select({ id: domain.id }).from(domain).where(eq(domain.id, domainId)).limit(1);
  if (!row) throw notFound;
}

/**
 * A page of the users the caller can read, ordered by email: one query for the page, one for its
 * roles, one for its bans, and for filtered lists a bounded count that picks the page's plan.
 */
export async function listUsers(db: Executor, authority: Authority, input: ListUsersInput): Promise<UserPage> {
  const scope = authority.scopeOf("users:read");
  if (input.domainId !== undefined) await assertDomainReadable(db, authority, input.domainId);
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, emailCursor).email;
  const membership = await membershipPlan(db, membershipFilter(scope, input));

  const rows = await db
    .select({
      id: user.id,
      email: user.email,
      name: user.name,
      emailVerified: user.emailVerified,
      createdAt: user.createdAt,
    })
    .from(user)
    .where(
      and(
        after === undefined ? undefined : gt(user.email, after),
        membership.where,
        searchFilter(input.search),
      ),
    )
    .orderBy(membership.orderBy)
    .limit(input.limit + 1);

  const page = rows.slice(0, input.limit);
  const ids = page.map((row) => row.id);
  const [roles, mfa] = await Promise.all([rolesOfUsers(db, scope, ids), mfaStatus(db, ids)]);
  const banned =
    ids.length === 0
      ? new Set<string>()
      : new Set(
          (await db.select({ userId: userBan.userId }).from(userBan).where(inArray(userBan.userId, ids))).map(
            ({ userId }) => userId,
          ),
        );
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      ...row,
      banned: banned.has(row.id),
      mfa: mfa.get(row.id) ?? NOT_ENROLLED,
      roles: (roles.get(row.id) ?? []).map(({ roleId, roleName, domainId, domainName }) => ({
        roleId,
        roleName,
        domainId,
        domainName,
      })),
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ email: last.email }) : null,
  };
}
