import { z } from "zod";
import { defineTool } from "../tool";
import { revocationOutput } from "./shapes";

export const revokeAllForUser = defineTool("revoke_all_for_user", {
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema: {
    userId: z.string().min(1, "Give a user id.").max(200).describe("The user whose access ends."),
  },
  outputSchema: {
    userId: z.string().describe("The user whose access ended."),
    ...revocationOutput,
    sessionsRevoked: z.number().describe("Browser sessions that were signed out."),
  },
  async run(input, { caller }) {
    const revoked = await caller.revocations.revokeAllForUser(input);
    return {
      userId: input.userId,
      accessTokensRevoked: revoked.accessTokens,
      refreshTokensRevoked: revoked.refreshTokens,
      consentsRevoked: revoked.consents,
      sessionsRevoked: revoked.sessions,
    };
  },
});
