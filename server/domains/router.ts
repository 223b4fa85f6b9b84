import { router } from "@/server/trpc/init";
import { canFlagsOfObject, canFlagsOfPage, permissionProcedure, rowProcedure, stepUpWhen } from "@/server/trpc/procedures";
import { ROW_ACCESS, createDomain, deleteDomain, updateDomain } from "./commands";
import { createDomainInput, deleteDomainInput, domainIdInput, listDomainsInput, listMembersInput, updateDomainInput } from "./inputs";
import { domainItem, findDomain, getDomain, listDomains, listMembers, loadDomainRow, type DomainDetail, type DomainListItem } from "./queries";

/** The mutations each domain's `can` flags predict, with an input that acts on that domain. */
const DOMAIN_FLAGS = {
  edit: { procedure: "domains.update", input: (row: DomainListItem) => ({ id: row.id }) },
  // Changing the claimed email domains is what needs domains:admin; no step-up, unlike relaxing MFA.
  editPolicy: {
    procedure: "domains.update",
    input: (row: DomainListItem) => ({ id: row.id, emailDomains: row.emailDomains.length > 0 ? [] : ["can-flag-probe.example"] }),
  },
  delete: { procedure: "domains.delete", input: (row: DomainListItem) => ({ id: row.id }) },
};

export const domainsRouter = router({
  list: permissionProcedure("domains:read")
    .meta({
      page: { href: "/domains", label: "Domains" },
      description:
        "Lists the domains (tenants) the caller may read, ordered by slug, a page at a time, with their email domains, MFA policy and member count; use search to filter by name or slug.",
      can: canFlagsOfPage<DomainListItem>(DOMAIN_FLAGS),
    })
    .input(listDomainsInput)
    .query(({ ctx, input }) => listDomains(ctx.db, ctx.authority, input)),

  get: rowProcedure({ ...ROW_ACCESS.read, input: domainIdInput, load: loadDomainRow })
    .meta({
      description: "Returns one domain with its email domains, MFA policy and member count, for its detail page.",
      can: canFlagsOfObject<DomainDetail>(DOMAIN_FLAGS),
    })
    .query(({ ctx }) => getDomain(ctx.db, ctx.authority, ctx.row)),

  create: permissionProcedure("domains:write")
    .meta({
      description:
        "Creates a domain (tenant) with a unique slug; claiming email domains or choosing an MFA policy other than optional also needs domains:admin.",
      stepUp: false,
    })
    .input(createDomainInput)
    .mutation(async ({ ctx, input }) => domainItem(ctx.db, await createDomain(ctx, input))),

  update: rowProcedure({ ...ROW_ACCESS.edit, input: updateDomainInput, load: loadDomainRow })
    .meta({
      description:
        "Changes a domain's name, slug, description, email domains (the given set replaces the old one) or MFA policy; the last two need domains:admin, and relaxing a required MFA policy a recent sign-in. A call that changes nothing writes nothing.",
      stepUp: {
        action: "relax a domain's MFA policy",
        raises: ["relaxes-mfa"],
        when: stepUpWhen(updateDomainInput, async (ctx, input) => {
          if (input.mfaPolicy === undefined || input.mfaPolicy === "required") return false;
          const current = await findDomain(ctx.db, input.id).catch(() => null);
          return current?.mfaPolicy === "required";
        }),
      },
    })
    .mutation(async ({ ctx, input: { id, ...fields } }) => domainItem(ctx.db, await updateDomain(ctx, id, fields))),

  delete: rowProcedure({ ...ROW_ACCESS.delete, input: deleteDomainInput, load: loadDomainRow })
    .meta({
      description:
        "Deletes a domain. A domain that still has members or OAuth clients is refused unless cascade is set, which also removes its role assignments, email domains and clients (revoking their tokens) in the same step. Needs a recent sign-in.",
      stepUp: { action: "delete a domain", raises: ["destroys-in-bulk"] },
    })
    .mutation(({ ctx, input }) => deleteDomain(ctx, input.id, input.cascade)),

  members: rowProcedure({ ...ROW_ACCESS.readMembers, input: listMembersInput, load: loadDomainRow })
    .meta({
      description:
        "Lists the users who hold any role in a domain, ordered by email, a page at a time, with their roles in that domain and whether they are banned.",
      can: false,
    })
    .query(({ ctx, input }) => listMembers(ctx.db, ctx.row.id, input)),
});
