import { completions, defineResource, MAX_COMPLETIONS } from "../resource";
import { domainOutput, toDomainOutput } from "../tools/shapes";

export const domainResource = defineResource({
  name: "domain",
  title: "A domain",
  description:
    "One domain (tenant) you can read: name, slug, email domains, MFA policy and member count. Completion of domainId searches the slugs and names of the domains you can read.",
  uriTemplate: "gatehouse://domains/{domainId}",
  scope: "mcp:read",
  permissions: ["domains:read"],
  contents: domainOutput,
  read: async (id, { caller }) => toDomainOutput(await caller.domains.get({ id })),
  async complete(typed, { caller }) {
    const page = await caller.domains.list({ search: typed || undefined, limit: MAX_COMPLETIONS });
    return completions(page.items.map((domain) => domain.id));
  },
});
