import { z } from "zod";
import { revokeAllForUserInput } from "@/server/sessions/inputs";
import { defineTool } from "../tool";
import { DESTRUCTIVE_ANNOTATIONS, revocationOutput, toRevocationOutput } from "./shapes";

export const revokeAllForUser = defineTool("revoke_all_for_user", {
  annotations: DESTRUCTIVE_ANNOTATIONS,
  inputSchema: revokeAllForUserInput.shape,
  outputSchema: {
    userId: z.string().describe("The user whose access ended."),
    ...revocationOutput,
    sessionsRevoked: z.number().describe("Browser sessions that were signed out."),
  },
  async run(input, { caller }) {
    const revoked = await caller.sessions.revokeAllForUser(input);
    return { userId: input.userId, ...toRevocationOutput(revoked), sessionsRevoked: revoked.sessions };
  },
});
