import { createDomainInput } from "@/server/domains/inputs";
import { defineTool } from "../tool";
import { domainOutput, toDomainOutput } from "./shapes";

export const createDomain = defineTool("create_domain", {
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  inputSchema: createDomainInput.shape,
  outputSchema: domainOutput.shape,
  async run(input, { caller }) {
    return toDomainOutput(await caller.domains.create(input));
  },
});
