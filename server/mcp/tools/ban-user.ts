import { z } from "zod";
import { banUserInput } from "@/server/users/inputs";
import { defineTool } from "../tool";
import { DESTRUCTIVE_ANNOTATIONS, iso } from "./shapes";

export const banUser = defineTool("ban_user", {
  annotations: DESTRUCTIVE_ANNOTATIONS,
  inputSchema: banUserInput.shape,
  outputSchema: {
    id: z.string().describe("The banned user's id."),
    reason: z.string().describe("The recorded reason; empty when none was given."),
    bannedAt: z.string().describe("When the ban took effect (ISO 8601)."),
  },
  async run(input, { caller }) {
    const result = await caller.users.ban(input);
    return { id: result.id, reason: result.banned.reason, bannedAt: iso(result.banned.bannedAt) };
  },
});
