import { TRPCError } from "@trpc/server";
import { and, eq, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Executor } from "@/db/client";
import { recordEvent, type AuditActor, type AuditEventInput } from "@/server/audit/record";
import { domain, roleAssignment, user } from "@/db/schema";
import type { Authority, PermissionScope } from "@/server/authz/authority";
import type { Permission } from "@/server/shared/permissions";

/** Where a caller may see users: everywhere, or in the listed domains only. */
export type UserScope = PermissionScope;

export const USER_NOT_FOUND = "User not found.";

/**
 * Rows of role_assignment that a scope may see: all of them for a global holder, otherwise those
 * in the scope's domains (never global ones, which describe the account outside any tenant).
 */
export function assignmentInScope(scope: UserScope): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.domainIds.length === 0) return sql`0`;
  return inArray(roleAssignment.domainId, scope.domainIds);
}

/**
 * A user is visible in a scope when the scope is global, or when the user holds any role
 * assignment in one of the scope's domains. `userId` is the outer query's user id column.
 */
export function visibleUserCondition(scope: UserScope, userId: SQLiteColumn): SQL | undefined {
  if (scope.all) return undefined;
  return sql`exists (select 1 from ${roleAssignment} where ${roleAssignment.userId} = ${userId} and ${assignmentInScope(scope)})`;
}

export type UserRow = typeof user.$inferSelect;

/**
 * The columns that place a role assignment: which role, in which domain (and its name, from a left
 * join of `domain` on the assignment's domain), since when. Read alike by a user's roles and a role's holders.
 */
export const ASSIGNMENT_PLACEMENT = {
  roleId: roleAssignment.roleId,
  domainId: roleAssignment.domainId,
  domainName: domain.name,
  createdAt: roleAssignment.createdAt,
};

/** The user, if the caller may see them with `permission`; NOT_FOUND otherwise, as for an unknown id. */
export async function findVisibleUser(
  db: Executor,
  authority: Authority,
  permission: Permission,
  id: string,
): Promise<UserRow> {
  const [row] = await db
    .select()
    .from(user)
    .where(and(eq(user.id, id), visibleUserCondition(authority.scopeOf(permission), user.id)))
    .limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: USER_NOT_FOUND });
  return row;
}

/** Every domain the user holds any role assignment in, including the permission-less member role. */
export async function domainsOfUser(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ domainId: roleAssignment.domainId })
    .from(roleAssignment)
    .where(and(eq(roleAssignment.userId, userId), isNotNull(roleAssignment.domainId)));
  return rows.flatMap(({ domainId }) => (domainId === null ? [] : [domainId]));
}

/**
 * The domain an account-wide event is filed under: the account's only domain when it has exactly
 * one, so that tenant's administrators see it in their audit log; otherwise none.
 */
export async function auditDomainOf(db: Executor, userId: string): Promise<string | null> {
  const domainIds = await domainsOfUser(db, userId);
  return domainIds.length === 1 ? (domainIds[0] ?? null) : null;
}

/** Records an event about one account (its target), filed under the account's domain as auditDomainOf decides. */
export async function recordUserEvent(tx: Executor, actor: AuditActor, action: string, userId: string, details: AuditEventInput["details"]) {
  await recordEvent(tx, actor, { action, targetType: "user", targetId: userId, domainId: await auditDomainOf(tx, userId), details });
}
