import { z } from "zod";
import { completions, defineResource } from "../resource";
import { iso } from "../tools/shapes";

const roleContents = z.object({
  id: z.string().describe("The role's id."),
  name: z.string().describe("The role's unique name."),
  description: z.string().describe("What the role is for; may be empty."),
  builtIn: z.boolean().describe("Whether it is a built-in role (cannot be renamed, changed or deleted)."),
  requiresMfa: z.boolean().describe("Whether holders must use multi-factor authentication."),
  permissions: z.array(z.string()).describe("The permissions the role grants, such as users:read."),
  createdAt: z.string().describe("When the role was created (ISO 8601)."),
  assignments: z
    .array(
      z.object({
        assignmentId: z.string().describe("The role assignment's id."),
        userId: z.string().describe("The user holding the role."),
        userEmail: z.string().describe("That user's email address."),
        userName: z.string().describe("That user's display name."),
        domainId: z.string().nullable().describe("The domain the role is held in; null when held globally."),
        domainName: z.string().nullable().describe("That domain's name; null when held globally."),
        createdAt: z.string().describe("When the role was given (ISO 8601)."),
      }),
    )
    .describe("Who holds the role, in the scopes you can read roles in, by email; the first ones only when there are many."),
  assignmentCount: z.number().describe("How many assignments of the role exist in the scopes you can read roles in."),
});

export const roleResource = defineResource({
  name: "role",
  title: "A role",
  description:
    "One role with its permissions and who holds it where (globally or in which domain), limited to the scopes you can read roles in. Completion of roleId searches role names and descriptions.",
  uriTemplate: "gatehouse://roles/{roleId}",
  scope: "mcp:read",
  permissions: ["roles:read"],
  contents: roleContents,
  async read(id, { caller }) {
    const role = await caller.roles.get({ id });
    return {
      id: role.id,
      name: role.name,
      description: role.description,
      builtIn: role.builtIn,
      requiresMfa: role.requiresMfa,
      permissions: role.permissions,
      createdAt: iso(role.createdAt),
      assignments: role.assignments.map((assignment) => ({
        assignmentId: assignment.id,
        userId: assignment.userId,
        userEmail: assignment.userEmail,
        userName: assignment.userName,
        domainId: assignment.domainId,
        domainName: assignment.domainName,
        createdAt: iso(assignment.createdAt),
      })),
      assignmentCount: role.assignmentCount,
    };
  },
  async complete(typed, { caller }) {
    const roles = await caller.roles.list({ search: typed || undefined });
    return completions(roles.map((role) => role.id));
  },
});
