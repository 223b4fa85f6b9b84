import { z } from "zod";
import { idSchema } from "@/server/ids";
import { SORT_DIRECTIONS, searchSchema } from "@/server/paging";
import { ACTIONS, ALL_PERMISSIONS, RESOURCES, sortPermissions } from "@/server/shared/permissions";

// The inputs of roles.*, shared by the tRPC router and the MCP tools.

const ROLE_NAME_PATTERN = /^[A-Za-z0-9 _-]+$/;

const roleNameSchema = z
  .string("Give the role a name.")
  .trim()
  .min(2, "A role name is at least 2 characters.")
  .max(64, "A role name is at most 64 characters.")
  .regex(ROLE_NAME_PATTERN, "A role name uses letters (A–Z), digits, spaces, hyphens and underscores only.");

const roleDescriptionSchema = z.string().trim().max(500, "A role description is at most 500 characters.");

const permissionSchema = z.enum(ALL_PERMISSIONS, {
  error: (issue) =>
    `“${String(issue.input)}” is not a permission; write resource:action with a resource among ${RESOURCES.join(", ")} and an action among ${ACTIONS.join(", ")} (for example users:read).`,
});

/** Deduplicated and in vocabulary order, the form that is stored and shown. */
const permissionsSchema = z
  .array(permissionSchema, "Give the permissions as a list, possibly empty.")
  .max(ALL_PERMISSIONS.length * 2, "That is more permissions than exist; list each one once.")
  .transform((permissions) => sortPermissions(permissions));

export const ROLE_SORTS = ["name"] as const;

export const listRolesInput = z
  .object({
    search: searchSchema.describe("Part of a role's name or description, matched case-insensitively."),
    // Roles are few (built-ins and an installation's own), so the list is one page; without a sort the
    // built-in roles come first, then the others by name.
    sort: z
      .object({
        by: z.enum(ROLE_SORTS, `Sort by one of: ${ROLE_SORTS.join(", ")}.`).describe("The column to sort by: name."),
        direction: z.enum(SORT_DIRECTIONS, 'The sort direction is "asc" or "desc".').describe('"asc" (A to Z) or "desc".'),
      })
      .optional()
      .describe("The order of the list; by default the built-in roles first, then by name."),
  })
  .optional();

export const roleIdInput = z.object({ id: idSchema("role id").describe("The role's id.") });

const requiresMfaSchema = z.boolean("requiresMfa is true or false.");

export const createRoleInput = z.object({
  name: roleNameSchema.describe(
    "The role's name: 2 to 64 letters, digits, spaces, hyphens or underscores, unique regardless of case.",
  ),
  description: roleDescriptionSchema.optional().describe("What the role is for, at most 500 characters."),
  permissions: permissionsSchema.describe(
    "The permissions the role gives its holders, such as users:read or clients:admin; may be empty. You must hold each one globally.",
  ),
  requiresMfa: requiresMfaSchema.optional().describe("Whether holders must have a second factor; off unless set."),
});

export const updateRoleInput = z.object({
  id: idSchema("role id").describe("The role's id."),
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
  id: idSchema("role id").describe("The role's id."),
  reassignTo: idSchema("role id")
    .optional()
    .describe("Another role's id: its holders get that role instead, in the same scope. Needed while the role is assigned."),
});

/** roles.assign and roles.unassign; the users console and the MCP tools send this shape too. */
export const assignmentInput = z.object({
  userId: idSchema("user id").describe("The user's id."),
  roleId: idSchema("role id").describe("The role's id."),
  domainId: idSchema("domain id")
    .nullable()
    .describe("The domain the role applies in, or null for every domain (global scope)."),
});

export type CreateRoleInput = z.output<typeof createRoleInput>;
export type UpdateRoleInput = z.output<typeof updateRoleInput>;
export type DeleteRoleInput = z.output<typeof deleteRoleInput>;
export type AssignmentInput = z.output<typeof assignmentInput>;
