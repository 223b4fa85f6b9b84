import { TRPCError } from "@trpc/server";
import { and, asc, count, desc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { domain, role, roleAssignment, rolePermission, user } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import { assertAnotherOwnerRemains } from "@/server/authz/owner";
import { ALL_PERMISSIONS, isPermission, sortPermissions, type Permission } from "@/server/shared/permissions";
import { sortableKeyset, type Sort } from "@/server/paging";
import type { ROLE_SORTS } from "./inputs";
import { allows } from "@/server/trpc/procedures";
import { ASSIGNMENT_PLACEMENT, USER_NOT_FOUND, assignmentInScope, visibleUserCondition } from "@/server/users/visibility";
import {
  ROLE_NOT_FOUND,
  assertMayAdministerAssignments,
  assertMayDefineRoles,
  assertMayDeleteRole,
  assertMayDeleteRoles,
  assertMayGrantPermissions,
  assertMayTakeRole,
  assertNotSelf,
  removesOwnership,
} from "./rules";

type RoleRow = typeof role.$inferSelect;

export interface RoleView {
  id: string;
  name: string;
  description: string;
  builtIn: boolean;
  requiresMfa: boolean;
  /** In vocabulary order. */
  permissions: Permission[];
  createdAt: Date;
  updatedAt: Date;
}

/** What the console may offer on a role; each flag predicts the mutation named beside it. */
export interface RoleCan {
  /** roles.update */
  edit: boolean;
  /** roles.delete without reassigning (an assigned role still needs its holders moved: a CONFLICT, not a refusal). */
  delete: boolean;
}

export interface RoleListItem extends RoleView {
  /** Assignments in the scopes where the caller holds roles:read. */
  assignmentCount: number;
  can: RoleCan;
}

export interface RoleAssignmentView {
  id: string;
  userId: string;
  userEmail: string;
  userName: string;
  roleId: string;
  domainId: string | null;
  domainName: string | null;
  createdAt: Date;
  /** unassign: roles.unassign of this user, role and scope. */
  can: { unassign: boolean };
}

/** A permission the role editor offers, and whether the caller may put it into a role. */
export interface PermissionOption {
  permission: Permission;
  grantable: boolean;
}

export interface RoleDetail extends RoleView {
  /** The first ROLE_DETAIL_ASSIGNMENT_LIMIT, by user email. */
  assignments: RoleAssignmentView[];
  /** All assignments in the scopes the caller can read. */
  assignmentCount: number;
  can: RoleCan;
  /** Every permission of the vocabulary, for the editor's grid. */
  permissionOptions: PermissionOption[];
  /** Whether the caller can open the Users page (users:read somewhere), which pages through every holder. */
  holdersOnUsersPage: boolean;
}

export function toRoleView(row: RoleRow, permissions: Permission[]): RoleView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    builtIn: row.builtIn,
    requiresMfa: row.requiresMfa,
    permissions,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function findRole(db: Executor, id: string, notFound = ROLE_NOT_FOUND): Promise<RoleRow> {
  const [row] = await db.select().from(role).where(eq(role.id, id)).limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: notFound });
  return row;
}

/** The permissions of some roles, in vocabulary order, in one query. Unknown strings are dropped (fail closed). */
export async function permissionsOfRoles(db: Executor, roleIds: readonly string[]): Promise<Map<string, Permission[]>> {
  const byRole = new Map<string, Permission[]>();
  if (roleIds.length === 0) return byRole;
  const rows = await db
    .select({ roleId: rolePermission.roleId, permission: rolePermission.permission })
    .from(rolePermission)
    .where(inArray(rolePermission.roleId, [...roleIds]));
  const collected = new Map<string, Permission[]>();
  for (const { roleId, permission } of rows) {
    if (!isPermission(permission)) continue;
    let list = collected.get(roleId);
    if (!list) collected.set(roleId, (list = []));
    list.push(permission);
  }
  for (const roleId of roleIds) byRole.set(roleId, sortPermissions(collected.get(roleId) ?? []));
  return byRole;
}

export async function permissionsOfRole(db: Executor, roleId: string): Promise<Permission[]> {
  return (await permissionsOfRoles(db, [roleId])).get(roleId) ?? [];
}

/** The flags of one role, from the rules roles.update and roles.delete enforce. Reads nothing. */
async function roleCan(authority: Authority, target: RoleRow, permissions: readonly Permission[]): Promise<RoleCan> {
  return {
    edit: await allows(() => assertMayDefineRoles(authority)),
    delete: await allows(() => {
      assertMayDeleteRoles(authority);
      assertMayDeleteRole(authority, target, permissions);
    }),
  };
}

/** Every permission, with whether roles.create and roles.update would let the caller put it into a role. */
export async function permissionOptions(authority: Authority): Promise<PermissionOption[]> {
  return Promise.all(
    ALL_PERMISSIONS.map(async (permission) => ({
      permission,
      grantable: await allows(() => assertMayGrantPermissions(authority, [permission])),
    })),
  );
}

/** What the roles page offers before any role is chosen: creating one, and which permissions it may carry. */
export async function roleOptions(authority: Authority): Promise<{ can: { create: boolean }; permissions: PermissionOption[] }> {
  return {
    can: { create: await allows(() => assertMayDefineRoles(authority)) },
    permissions: await permissionOptions(authority),
  };
}

/** Every role, built-in first and then by name, with assignment counts in the caller's roles:read scope. */
// Names compare regardless of case, as the default order and the unique-name rule do.
const roleOrder = sortableKeyset("roles", { name: { expression: sql`${role.name} collate nocase`, type: "string" } }, role.id);

/** Every role the caller reads (they are few: one page); `sort` orders them by name, else built-in roles come first. */
export async function listRoles(
  db: Executor,
  authority: Authority,
  search: string | undefined,
  sort?: Sort<(typeof ROLE_SORTS)[number]>,
): Promise<RoleListItem[]> {
  // Assignments count where the caller reads roles: every one for a global reader, else those in their domains.
  const counted = db
    .select({ roleId: roleAssignment.roleId, total: count().as("total") })
    .from(roleAssignment)
    .where(assignmentInScope(authority.scopeOf("roles:read")))
    .groupBy(roleAssignment.roleId)
    .as("counted");
  const matches = search
    ? or(
        sql`instr(lower(${role.name}), lower(${search})) > 0`,
        sql`instr(lower(${role.description}), lower(${search})) > 0`,
      )
    : undefined;
  const rows = await db
    .select({ role, total: counted.total })
    .from(role)
    .leftJoin(counted, eq(counted.roleId, role.id))
    .where(matches)
    .orderBy(...(sort ? roleOrder.plan(sort, undefined).orderBy : [desc(role.builtIn), sql`${role.name} collate nocase`, asc(role.name)]));
  const permissions = await permissionsOfRoles(
    db,
    rows.map((row) => row.role.id),
  );
  return Promise.all(
    rows.map(async (row) => {
      const held = permissions.get(row.role.id) ?? [];
      return {
        ...toRoleView(row.role, held),
        assignmentCount: row.total ?? 0,
        can: await roleCan(authority, row.role, held),
      };
    }),
  );
}

/**
 * Every account holds `member`, so a role's holders can number in the hundred thousands: the detail
 * shows the first ones and the total; users.list filtered by role pages through all of them.
 */
export const ROLE_DETAIL_ASSIGNMENT_LIMIT = 100;

type AssignmentRow = Omit<RoleAssignmentView, "can">;

/**
 * The unassign flags of a page of one role's assignments, by the rules roles.unassign enforces, in
 * the order it enforces them. The users the caller can see are read for the whole page at once; the
 * last-owner rule reads only for global owner assignments that pass every other rule.
 */
async function unassignFlags(
  db: Executor,
  authority: Authority,
  callerId: string,
  permissions: readonly Permission[],
  rows: readonly AssignmentRow[],
): Promise<boolean[]> {
  const userIds = [...new Set(rows.map((row) => row.userId))];
  const visibleUsers =
    userIds.length === 0
      ? new Set<string>()
      : new Set(
          (
            await db
              .select({ id: user.id })
              .from(user)
              .where(and(inArray(user.id, userIds), visibleUserCondition(authority.scopeOf("users:read"), user.id)))
          ).map((row) => row.id),
        );
  return Promise.all(
    rows.map((row) =>
      allows(async () => {
        assertMayAdministerAssignments(authority, row.domainId);
        assertNotSelf(callerId, row.userId);
        if (!visibleUsers.has(row.userId)) throw new TRPCError({ code: "NOT_FOUND", message: USER_NOT_FOUND });
        assertMayTakeRole(authority, permissions, row.domainId);
        if (removesOwnership(row.roleId, row.domainId)) {
          await assertAnotherOwnerRemains(db, { id: row.userId, email: row.userEmail });
        }
      }),
    ),
  );
}

/** One role with its permissions and the assignments the caller's roles:read scope may see. */
export async function roleDetail(db: Executor, authority: Authority, callerId: string, id: string): Promise<RoleDetail> {
  const row = await findRole(db, id);
  const permissions = await permissionsOfRole(db, id);
  const shared = {
    ...toRoleView(row, permissions),
    can: await roleCan(authority, row, permissions),
    permissionOptions: await permissionOptions(authority),
    holdersOnUsersPage: authority.hasAnywhere("users:read"),
  };
  // The holders the caller reads roles of: all for a global reader, else those in their domains, never global ones.
  const condition = and(eq(roleAssignment.roleId, id), assignmentInScope(authority.scopeOf("roles:read")));
  const rows: AssignmentRow[] = await db
    .select({
      id: roleAssignment.id,
      userId: roleAssignment.userId,
      userEmail: user.email,
      userName: user.name,
      ...ASSIGNMENT_PLACEMENT,
    })
    .from(roleAssignment)
    .innerJoin(user, eq(user.id, roleAssignment.userId))
    .leftJoin(domain, eq(domain.id, roleAssignment.domainId))
    .where(condition)
    .orderBy(asc(user.email), sql`${roleAssignment.domainId} is not null`, asc(domain.name), asc(roleAssignment.id))
    .limit(ROLE_DETAIL_ASSIGNMENT_LIMIT);
  const unassign = await unassignFlags(db, authority, callerId, permissions, rows);
  const assignments = rows.map((assignment, index) => ({ ...assignment, can: { unassign: unassign[index] ?? false } }));
  const assignmentCount = await db.$count(roleAssignment, condition);
  return { ...shared, assignments, assignmentCount };
}

function scopeCondition(domainId: string | null): SQL {
  return domainId === null ? isNull(roleAssignment.domainId) : eq(roleAssignment.domainId, domainId);
}

export async function findAssignment(db: Executor, userId: string, roleId: string, domainId: string | null) {
  const [row] = await db
    .select()
    .from(roleAssignment)
    .where(and(eq(roleAssignment.userId, userId), eq(roleAssignment.roleId, roleId), scopeCondition(domainId)))
    .limit(1);
  return row;
}

export async function countRoleAssignments(db: Executor, roleId: string): Promise<number> {
  return db.$count(roleAssignment, eq(roleAssignment.roleId, roleId));
}

/** The scopes (null = global) the assignments of a role live in. */
export async function scopesOfRoleAssignments(db: Executor, roleId: string): Promise<(string | null)[]> {
  const rows = await db
    .selectDistinct({ domainId: roleAssignment.domainId })
    .from(roleAssignment)
    .where(eq(roleAssignment.roleId, roleId));
  return rows.map((row) => row.domainId);
}
