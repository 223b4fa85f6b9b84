import { z } from "zod";
import { assignmentInput } from "@/server/authz/roles";
import { defineTool } from "../tool";

export const unassignRole = defineTool({
  name: "unassign_role",
  title: "Unassign a role",
  description:
    "Takes a role (id from list_roles) away from a user (id from list_users) in one domain, or globally with domainId null. You need roles:admin there and every permission of the role; the last owner keeps the owner role.",
  scope: "mcp:admin",
  permissions: ["roles:admin"],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema: assignmentInput.shape,
  outputSchema: {
    assignmentId: z.string().describe("The removed role assignment's id."),
    userId: z.string().describe("The user who lost the role."),
    roleId: z.string().describe("The role taken away."),
    domainId: z.string().nullable().describe("The domain it applied in; null for global."),
  },
  async run(input, { caller }) {
    const removed = await caller.roles.unassign(input);
    return { assignmentId: removed.id, userId: removed.userId, roleId: removed.roleId, domainId: removed.domainId };
  },
});
