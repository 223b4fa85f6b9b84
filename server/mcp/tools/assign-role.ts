import { z } from "zod";
import { assignmentInput } from "@/server/roles/inputs";
import { defineTool } from "../tool";
import { UPDATE_ANNOTATIONS, iso, toAssignmentOutput } from "./shapes";

export const assignRole = defineTool("assign_role", {
  annotations: UPDATE_ANNOTATIONS,
  inputSchema: assignmentInput.shape,
  outputSchema: {
    assignmentId: z.string().describe("The new role assignment's id."),
    userId: z.string().describe("The user who got the role."),
    roleId: z.string().describe("The role given."),
    domainId: z.string().nullable().describe("The domain the role applies in; null for global."),
    createdAt: z.string().describe("When the assignment was made (ISO 8601)."),
  },
  async run(input, { caller }) {
    const assignment = await caller.roles.assign(input);
    return { ...toAssignmentOutput(assignment), createdAt: iso(assignment.createdAt) };
  },
});
