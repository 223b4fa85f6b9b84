import { z } from "zod";
import { defineTool } from "../tool";
import { revocationOutput } from "./shapes";

export const revokeGrant = defineTool({
  name: "revoke_grant",
  title: "Revoke a grant",
  description:
    "Revokes one user's grant to one OAuth client: forgets the consent and revokes its refresh and access tokens at once, so the client must send the user through consent again. Take userId and clientId from list_sessions_and_grants.",
  scope: "mcp:admin",
  permissions: ["tokens:delete"],
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
