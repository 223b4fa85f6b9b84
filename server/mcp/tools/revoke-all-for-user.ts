import { z } from "zod";
import { defineTool } from "../tool";
import { revocationOutput } from "./shapes";

export const revokeAllForUser = defineTool({
  name: "revoke_all_for_user",
  title: "Revoke all access of a user",
  description:
    "Revokes everything a user holds: every OAuth grant and token and every browser session, at once. Use it when an account may be compromised; pass the user's id from list_users. The account itself stays usable (ban_user also blocks new sign-ins).",
  scope: "mcp:admin",
  permissions: ["tokens:admin"],
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
