import { TRPCError } from "@trpc/server";
import { and, asc, count, desc, eq, inArray, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { OWNER_ROLE_ID, domain, role, roleAssignment, rolePermission, user } from "@/db/schema";
import type { Authority, PermissionScope } from "./authority";
import { assertHoldsAll } from "./guard";
import { ACTIONS, ALL_PERMISSIONS, RESOURCES, isPermission, sortPermissions, type Permission } from "@/server/shared/permissions";

export const ROLE_NOT_FOUND = "Role not found.";
export const OWNER_ONLY_GLOBAL = "The owner role can only be held globally.";

// Inputs of the roles router, here rather than in the router so that MCP tools can reuse them.

export const idSchema = z.string("Give an id.").min(1, "Give an id.").max(100, "An id is at most 100 characters.");

const ROLE_NAME_PATTERN = /^[A-Za-z0-9 _-]+$/;

export const roleNameSchema = z
  .string("Give the role a name.")
  .trim()
  .min(2, "A role name is at least 2 characters.")
  .max(64, "A role name is at most 64 characters.")
  .regex(ROLE_NAME_PATTERN, "A role name uses letters (A–Z), digits, spaces, hyphens and underscores only.");

export const roleDescriptionSchema = z.string().trim().max(500, "A role description is at most 500 characters.");

const permissionSchema = z.enum(ALL_PERMISSIONS, {
  error: (issue) =>
    `“${String(issue.input)}” is not a permission; write resource:action with a resource among ${RESOURCES.join(", ")} and an action among ${ACTIONS.join(", ")} (for example users:read).`,
});

/** Deduplicated and in vocabulary order, the form that is stored and shown. */
export const permissionsSchema = z
  .array(permissionSchema, "Give the permissions as a list, possibly empty.")
  .max(ALL_PERMISSIONS.length * 2, "That is more permissions than exist; list each one once.")
  .transform((permissions) => sortPermissions(permissions));

export const listRolesInput = z
  .object({
    search: z
      .string()
      .trim()
      .max(100, "Search for at most 100 characters.")
      .optional()
      .describe("Part of a role's name or description, matched case-insensitively."),
  })
  .optional();

export const roleIdInput = z.object({ id: idSchema.describe("The role's id.") });

const requiresMfaSchema = z.boolean('requiresMfa is true or false.');

export const createRoleInput = z.object({
  name: roleNameSchema.describe(
    "The role's name: 2 to 64 letters, digits, spaces, hyphens or underscores, unique regardless of case.",
  ),
  description: roleDescriptionSchema.optional().describe("What the role is for, at most 500 characters."),
  permissions: permissionsSchema.describe(
    "The permissions the role authority, such as users:read or clients:admin; may be empty. You must hold each one globally.",
  ),
  requiresMfa: requiresMfaSchema.optional().describe("Whether holders must have a second factor; off unless set."),
});

export const updateRoleInput = z.object({
  id: idSchema.describe("The role's id."),
  name: roleNameSchema.optional().describe("The new name; built-in roles cannot be renamed."),
  description: roleDescriptionSchema.optional().describe("The new description; an empty string clears it."),
  permissions: permissionsSchema
    .optional()
    .describe(
      "The complete new set of permissions (replaces the old set); built-in roles cannot change theirs. You must hold every old and new permission globally.",
    ),
  requiresMfa: requiresMfaSchema
    .optional()
    .describe("Whether holders must have a second factor before they can use the console; built-in roles can change it too."),
});

export const deleteRoleInput = z.object({
  id: idSchema.describe("The role's id."),
  reassignTo: idSchema
    .optional()
    .describe("Another role's id: its holders get that role instead, in the same scope. Needed while the role is assigned."),
});

export const assignmentInput = z.object({
  userId: idSchema.describe("The user's id."),
  roleId: idSchema.describe("The role's id."),
  domainId: idSchema
    .nullable()
    .describe("The domain the role applies in, or null for every domain (global scope)."),
});

export type RoleRow = typeof role.$inferSelect;

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

export interface RoleListItem extends RoleView {
  /** Assignments in the scopes where the caller holds roles:read. */
  assignmentCount: number;
}

export interface RoleAssignmentView {
  id: string;
  userId: string;
  userEmail: string;
  userName: string;
  domainId: string | null;
  domainName: string | null;
  createdAt: Date;
}

export interface RoleDetail extends RoleView {
  /** The first ROLE_DETAIL_ASSIGNMENT_LIMIT, by user email. */
  assignments: RoleAssignmentView[];
  /** All assignments in the scopes the caller can read. */
  assignmentCount: number;
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

type RoleScope = PermissionScope;

/**
 * Assignments a roles:read scope may see: all of them for a global reader, otherwise those in the
 * reader's domains (never global ones). `undefined` means no restriction, `null` means none visible.
 */
function assignmentsVisibleIn(scope: RoleScope): SQL | undefined | null {
  if (scope.all) return undefined;
  if (scope.domainIds.length === 0) return null;
  return inArray(roleAssignment.domainId, scope.domainIds);
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

export async function replaceRolePermissions(db: Executor, roleId: string, permissions: readonly Permission[]) {
  await db.delete(rolePermission).where(eq(rolePermission.roleId, roleId));
  if (permissions.length > 0) {
    await db.insert(rolePermission).values(permissions.map((permission) => ({ roleId, permission })));
  }
}

/** Role names are unique regardless of case; names are ASCII, so SQLite's lower() is exact. */
export async function assertRoleNameFree(db: Executor, name: string, exceptRoleId: string | null): Promise<void> {
  const [clash] = await db
    .select({ name: role.name })
    .from(role)
    .where(and(sql`lower(${role.name}) = lower(${name})`, exceptRoleId ? ne(role.id, exceptRoleId) : undefined))
    .limit(1);
  if (clash) {
    throw new TRPCError({ code: "CONFLICT", message: `A role named “${clash.name}” already exists.` });
  }
}

/** Every role, built-in first and then by name, with assignment counts in the caller's roles:read scope. */
export async function listRoles(db: Executor, scope: RoleScope, search: string | undefined): Promise<RoleListItem[]> {
  const visible = assignmentsVisibleIn(scope);
  const counted = db
    .select({ roleId: roleAssignment.roleId, total: count().as("total") })
    .from(roleAssignment)
    .where(visible ?? undefined)
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
    .orderBy(desc(role.builtIn), sql`${role.name} collate nocase`, asc(role.name));
  const permissions = await permissionsOfRoles(
    db,
    rows.map((row) => row.role.id),
  );
  return rows.map((row) => ({
    ...toRoleView(row.role, permissions.get(row.role.id) ?? []),
    assignmentCount: visible === null ? 0 : (row.total ?? 0),
  }));
}

/** One role with its permissions and the assignments the caller's roles:read scope may see. */
/**
 * Every account holds `member`, so a role's holders can number in the hundred thousands: the detail
 * shows the first ones and the total; users.list filtered by role pages through all of them.
 */
export const ROLE_DETAIL_ASSIGNMENT_LIMIT = 100;

export async function roleDetail(db: Executor, scope: RoleScope, id: string): Promise<RoleDetail> {
  const row = await findRole(db, id);
  const permissions = await permissionsOfRole(db, id);
  const visible = assignmentsVisibleIn(scope);
  if (visible === null) return { ...toRoleView(row, permissions), assignments: [], assignmentCount: 0 };
  const condition = and(eq(roleAssignment.roleId, id), visible);
  const assignments = await db
          .select({
            id: roleAssignment.id,
            userId: roleAssignment.userId,
            userEmail: user.email,
            userName: user.name,
            domainId: roleAssignment.domainId,
            domainName: domain.name,
            createdAt: roleAssignment.createdAt,
          })
          .from(roleAssignment)
          .innerJoin(user, eq(user.id, roleAssignment.userId))
          .leftJoin(domain, eq(domain.id, roleAssignment.domainId))
          .where(condition)
          .orderBy(asc(user.email), sql`${roleAssignment.domainId} is not null`, asc(domain.name), asc(roleAssignment.id))
          .limit(ROLE_DETAIL_ASSIGNMENT_LIMIT);
  const assignmentCount = await db.$count(roleAssignment, condition);
  return { ...toRoleView(row, permissions), assignments, assignmentCount };
}

export function scopeCondition(domainId: string | null): SQL {
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

/**
 * Gives the holders of `fromRoleId` the role `toRoleId` in the same scope. Holders who already have
 * `toRoleId` there just lose the old assignment, since the unique indexes allow one per scope.
 */
export async function moveAssignments(
  db: Executor,
  fromRoleId: string,
  toRoleId: string,
): Promise<{ moved: number; skipped: number }> {
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

type RoleFields = Pick<RoleView, "name" | "description" | "permissions" | "requiresMfa">;

function samePermissions(a: readonly Permission[], b: readonly Permission[]): boolean {
  return a.length === b.length && a.every((permission, index) => permission === b[index]);
}

/** The fields an update really changes, before and after; both empty when it changes nothing. */
export function roleChanges(
  current: RoleFields,
  input: Partial<RoleFields>,
): { before: Partial<RoleFields>; after: Partial<RoleFields> } {
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
 * Before a role is deleted, hands its holders `reassignTo` in the same scopes. The caller must be
 * able to grant that role in every scope an assignment moves into, and owner stays global-only.
 */
export async function reassignHolders(
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
  if (target.id === OWNER_ROLE_ID && scopes.some((scope) => scope !== null)) {
    throw new TRPCError({ code: "BAD_REQUEST", message: OWNER_ONLY_GLOBAL });
  }
  for (const scope of scopes) assertHoldsAll(authority, targetPermissions, scope, "grant");
  return moveAssignments(db, fromRoleId, target.id);
}
