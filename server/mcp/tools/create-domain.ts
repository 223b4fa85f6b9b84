import { createDomainInput } from "@/server/authz/domains";
import { defineTool } from "../tool";
import { domainOutput, toDomainOutput } from "./shapes";

export const createDomain = defineTool({
  name: "create_domain",
  title: "Create a domain",
  description:
    "Creates a domain (tenant) with a unique slug; needs domains:write globally, and claiming email domains or an MFA policy other than optional also needs domains:admin. Returns the new domain, whose id other tools take as domainId.",
  scope: "mcp:write",
  permissions: ["domains:write"],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  inputSchema: createDomainInput.shape,
  outputSchema: domainOutput.shape,
  async run(input, { caller }) {
    return toDomainOutput(await caller.domains.create(input));
  },
});
