import { z } from "zod";
import { assignmentInput } from "@/server/roles/inputs";
import { defineTool } from "../tool";
import { DESTRUCTIVE_ANNOTATIONS, toAssignmentOutput } from "./shapes";

export const unassignRole = defineTool("unassign_role", {
  annotations: DESTRUCTIVE_ANNOTATIONS,
  inputSchema: assignmentInput.shape,
  outputSchema: {
    assignmentId: z.string().describe("The removed role assignment's id."),
    userId: z.string().describe("The user who lost the role."),
    roleId: z.string().describe("The role taken away."),
    domainId: z.string().nullable().describe("The domain it applied in; null for global."),
  },
  async run(input, { caller }) {
    const removed = await caller.roles.unassign(input);
    return toAssignmentOutput(removed);
  },
});
