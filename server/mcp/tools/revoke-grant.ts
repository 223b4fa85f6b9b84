import { z } from "zod";
import { defineTool } from "../tool";
import { revocationOutput } from "./shapes";

export const revokeGrant = defineTool("revoke_grant", {
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema: {
    userId: z.string().min(1, "Give a user id.").max(200).describe("The user who holds the grant."),
    clientId: z.string().min(1, "Give a client id.").max(200).describe("The client the grant was made to."),
  },
  outputSchema: {
    userId: z.string().describe("The user whose grant ended."),
    clientId: z.string().describe("The client the grant was made to."),
    ...revocationOutput,
  },
  async run(input, { caller }) {
    const revoked = await caller.revocations.revokeGrant(input);
    return {
      userId: input.userId,
      clientId: input.clientId,
      accessTokensRevoked: revoked.accessTokens,
      refreshTokensRevoked: revoked.refreshTokens,
      consentsRevoked: revoked.consents,
    };
  },
});
