import { z } from "zod";
import { listRolesInput } from "@/server/roles/inputs";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, outputOf } from "./shapes";

const roleOutput = z.object({
  id: z.string().describe("The role's id."),
  name: z.string().describe("The role's unique name."),
  description: z.string().describe("What the role is for; may be empty."),
  builtIn: z.boolean().describe("Whether it is a built-in role (cannot be renamed, changed or deleted)."),
  permissions: z.array(z.string()).describe("The permissions the role grants, such as users:read."),
  assignmentCount: z.number().describe("How many assignments of the role exist in the scopes you can read roles in."),
});

export const listRoles = defineTool("list_roles", {
  annotations: READ_ANNOTATIONS,
  inputSchema: listRolesInput.unwrap().shape,
  outputSchema: {
    roles: z.array(roleOutput).describe("The roles."),
  },
  async run(input, { caller }) {
    const roles = await caller.roles.list(input);
    return {
      roles: roles.map((role) => outputOf(roleOutput, role)),
    };
  },
});
