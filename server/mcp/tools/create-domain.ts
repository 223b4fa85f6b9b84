import { createDomainInput } from "@/server/domains/inputs";
import { defineTool } from "../tool";
import { CREATE_ANNOTATIONS, domainOutput, toDomainOutput } from "./shapes";

export const createDomain = defineTool("create_domain", {
  annotations: CREATE_ANNOTATIONS,
  inputSchema: createDomainInput.shape,
  outputSchema: domainOutput.shape,
  async run(input, { caller }) {
    return toDomainOutput(await caller.domains.create(input));
  },
});
