import { z } from "zod";
import { grantInput } from "@/server/grants/inputs";
import { defineTool } from "../tool";
import { DESTRUCTIVE_ANNOTATIONS, revocationOutput, toRevocationOutput } from "./shapes";

export const revokeGrant = defineTool("revoke_grant", {
  annotations: DESTRUCTIVE_ANNOTATIONS,
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
