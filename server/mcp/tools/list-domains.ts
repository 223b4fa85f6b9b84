import { z } from "zod";
import { listDomainsInput } from "@/server/domains/inputs";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, domainOutput, nextCursorOutput, toDomainOutput } from "./shapes";

export const listDomains = defineTool("list_domains", {
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
