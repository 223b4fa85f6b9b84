import { listDomainsInput } from "@/server/domains/inputs";
import { defineTool } from "../tool";
import { domainOutput, pageTool, toDomainOutput } from "./shapes";

export const listDomains = defineTool(
  "list_domains",
  pageTool({
    inputSchema: listDomainsInput.unwrap().shape,
    key: "domains",
    row: domainOutput,
    description: "One page of domains.",
    list: (caller, input) => caller.domains.list(input),
    toOutput: toDomainOutput,
  }),
);
