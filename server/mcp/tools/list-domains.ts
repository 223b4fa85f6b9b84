import { z } from "zod";
import { listDomainsInput } from "@/server/authz/domains";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, domainOutput, nextCursorOutput, toDomainOutput } from "./shapes";

export const listDomains = defineTool({
  name: "list_domains",
  title: "List domains",
  description:
    "Lists the domains (tenants) you can read, ordered by slug, with their email domains, MFA policy and member count; filter by a search text. Results come a page at a time: pass the returned nextCursor as cursor for the next page. Use the ids as domainId in the other tools.",
  scope: "mcp:read",
  permissions: ["domains:read"],
  annotations: READ_ANNOTATIONS,
  inputSchema: listDomainsInput.unwrap().shape,
  outputSchema: {
    domains: z.array(domainOutput).describe("One page of domains."),
    nextCursor: nextCursorOutput,
  },
  async run(input, { caller }) {
    const page = await caller.domains.list(input);
    return { domains: page.items.map(toDomainOutput), nextCursor: page.nextCursor };
  },
});
