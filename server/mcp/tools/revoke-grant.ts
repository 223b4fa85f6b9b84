import { z } from "zod";
import { grantInput } from "@/server/grants/inputs";
import { defineTool } from "../tool";
import { revocationOutput, toRevocationOutput } from "./shapes";

export const revokeGrant = defineTool("revoke_grant", {
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema: grantInput.shape,
  outputSchema: {
    userId: z.string().describe("The user whose grant ended."),
    clientId: z.string().describe("The client the grant was made to."),
    ...revocationOutput,
  },
  async run(input, { caller }) {
    const revoked = await caller.grants.revoke(input);
    return { userId: input.userId, clientId: input.clientId, ...toRevocationOutput(revoked) };
  },
});
