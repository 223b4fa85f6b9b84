import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { domain } from "@/db/schema";
import { recordEvent } from "@/server/audit/record";
import {
  DEFAULT_MFA_POLICY,
  DOMAIN_NOT_FOUND,
  assertEmailDomainsFree,
  assertSlugFree,
  countMembers,
  createDomainInput,
  deleteDomainInput,
  domainIdInput,
  emailDomainsOf,
  findDomain,
  listDomains,
  listDomainsInput,
  listMembers,
  listMembersInput,
  permissionsAssignedIn,
  removeDomainDependents,
  replaceEmailDomains,
  toDomainItem,
  updateDomainInput,
  type DomainItem,
} from "@/server/authz/domains";
import { assertHoldsAll, authorizeIn, requireGlobally } from "@/server/authz/guard";
import { countDomainClients, deleteDomainClients } from "@/server/oauth/clients";
import { router } from "@/server/trpc/init";
import { permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";

type DomainFields = Pick<DomainItem, "name" | "slug" | "description" | "emailDomains" | "mfaPolicy">;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function members(count: number): string {
  return count === 1 ? "1 member" : `${count} members`;
}

function clients(count: number): string {
  return count === 1 ? "1 OAuth client" : `${count} OAuth clients`;
}

export const domainsRouter = router({
  list: permissionProcedure("domains:read")
    .meta({
      description:
        "Lists the domains (tenants) the caller may read, ordered by slug, a page at a time, with their email domains, MFA policy and member count; use search to filter by name or slug.",
    })
    .input(listDomainsInput)
    .query(async ({ ctx, input }) => listDomains(ctx.db, ctx.authority.scopeOf("domains:read"), input)),

  get: permissionProcedure("domains:read")
    .meta({ description: "Returns one domain with its email domains, MFA policy and member count, for its detail page." })
    .input(domainIdInput)
    .query(async ({ ctx, input }) => {
      authorizeIn(ctx.authority, {
        permission: "domains:read",
        domainId: input.id,
        visibleWith: "domains:read",
        notFound: DOMAIN_NOT_FOUND,
      });
      return toDomainItem(ctx.db, await findDomain(ctx.db, input.id));
    }),

  create: permissionProcedure("domains:write")
    .meta({
      description:
        "Creates a domain (tenant) with a unique slug; claiming email domains or choosing an MFA policy other than optional also needs domains:admin.",
      stepUp: false,
    })
    .input(createDomainInput)
    .mutation(async ({ ctx, input }) => {
      requireGlobally(ctx.authority, "domains:write");
      const emailDomains = input.emailDomains ?? [];
      const mfaPolicy = input.mfaPolicy ?? DEFAULT_MFA_POLICY;
      if (emailDomains.length > 0 || mfaPolicy !== DEFAULT_MFA_POLICY) requireGlobally(ctx.authority, "domains:admin");

      return ctx.db.transaction(async (tx) => {
        await assertSlugFree(tx, input.slug, null);
        await assertEmailDomainsFree(tx, ctx.authority, emailDomains, null);
        const id = randomUUID();
        await tx
          .insert(domain)
          .values({ id, name: input.name, slug: input.slug, description: input.description ?? "", mfaPolicy });
        await replaceEmailDomains(tx, id, emailDomains);
        await recordEvent(tx, ctx.actor, {
          action: "domain.created",
          targetType: "domain",
          targetId: id,
          domainId: id,
          details: { name: input.name, slug: input.slug, emailDomains, mfaPolicy },
        });
        return toDomainItem(tx, await findDomain(tx, id));
      });
    }),

  update: permissionProcedure("domains:write")
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
    .input(updateDomainInput)
    .mutation(async ({ ctx, input }) => {
      authorizeIn(ctx.authority, {
        permission: "domains:write",
        domainId: input.id,
        visibleWith: "domains:read",
        notFound: DOMAIN_NOT_FOUND,
      });

      return ctx.db.transaction(async (tx) => {
        const current = await findDomain(tx, input.id);
        const before: DomainFields = {
          name: current.name,
          slug: current.slug,
          description: current.description,
          mfaPolicy: current.mfaPolicy,
          emailDomains: await emailDomainsOf(tx, current.id),
        };
        const changedBefore: Partial<DomainFields> = {};
        const changedAfter: Partial<DomainFields> = {};
        for (const field of ["name", "slug", "description", "mfaPolicy"] as const) {
          const next = input[field];
          if (next !== undefined && next !== before[field]) {
            Object.assign(changedBefore, { [field]: before[field] });
            Object.assign(changedAfter, { [field]: next });
          }
        }
        if (input.emailDomains !== undefined && !sameSet(input.emailDomains, before.emailDomains)) {
          changedBefore.emailDomains = before.emailDomains;
          changedAfter.emailDomains = input.emailDomains;
        }

        // Nothing differs: no write and no audit event, so a form saved unchanged leaves no trace.
        if (Object.keys(changedAfter).length === 0) return toDomainItem(tx, current);

        if (changedAfter.emailDomains !== undefined || changedAfter.mfaPolicy !== undefined) {
          authorizeIn(ctx.authority, {
            permission: "domains:admin",
            domainId: current.id,
            visibleWith: "domains:read",
            notFound: DOMAIN_NOT_FOUND,
          });
        }
        if (changedAfter.slug !== undefined) await assertSlugFree(tx, changedAfter.slug, current.id);
        if (changedAfter.emailDomains !== undefined) {
          await assertEmailDomainsFree(tx, ctx.authority, changedAfter.emailDomains, current.id);
        }

        const { emailDomains, ...columns } = changedAfter;
        await tx
          .update(domain)
          .set({ ...columns, updatedAt: new Date() })
          .where(eq(domain.id, current.id));
        if (emailDomains !== undefined) await replaceEmailDomains(tx, current.id, emailDomains);
        await recordEvent(tx, ctx.actor, {
          action: "domain.updated",
          targetType: "domain",
          targetId: current.id,
          domainId: current.id,
          details: { before: changedBefore, after: changedAfter },
        });
        return toDomainItem(tx, await findDomain(tx, current.id));
      });
    }),

  delete: permissionProcedure("domains:delete")
    .meta({
      description:
        "Deletes a domain. A domain that still has members or OAuth clients is refused unless cascade is set, which also removes its role assignments, email domains and clients (revoking their tokens) in the same step. Needs a recent sign-in.",
      stepUp: { action: "delete a domain", raises: ["destroys-in-bulk"] },
    })
    .input(deleteDomainInput)
    .mutation(async ({ ctx, input }) => {
      authorizeIn(ctx.authority, {
        permission: "domains:delete",
        domainId: input.id,
        visibleWith: "domains:read",
        notFound: DOMAIN_NOT_FOUND,
      });

      return ctx.db.transaction(async (tx) => {
        const current = await findDomain(tx, input.id);
        const memberCount = await countMembers(tx, current.id);
        const clientCount = await countDomainClients(tx, current.id);
        if ((memberCount > 0 || clientCount > 0) && !input.cascade) {
          const held = [memberCount > 0 ? members(memberCount) : null, clientCount > 0 ? clients(clientCount) : null].filter(Boolean);
          throw new TRPCError({
            code: "CONFLICT",
            message: `Domain “${current.name}” still has ${held.join(" and ")}. Remove them first, or delete it with cascade.`,
          });
        }
        if (memberCount > 0) {
          // A cascade takes these roles away from their holders, which nobody may do beyond their own permissions.
          assertHoldsAll(ctx.authority, await permissionsAssignedIn(tx, current.id), current.id, "remove");
        }
        const { removedAssignments } = await removeDomainDependents(tx, current.id);
        const removedClients = await deleteDomainClients(tx, current.id);
        await tx.delete(domain).where(eq(domain.id, current.id));
        await recordEvent(tx, ctx.actor, {
          action: "domain.deleted",
          targetType: "domain",
          targetId: current.id,
          domainId: current.id,
          details: { name: current.name, slug: current.slug, removedAssignments, removedClients },
        });
        return { id: current.id, removedAssignments, removedClients: removedClients.length };
      });
    }),

  members: permissionProcedure("users:read")
    .meta({
      description:
        "Lists the users who hold any role in a domain, ordered by email, a page at a time, with their roles in that domain and whether they are banned.",
    })
    .input(listMembersInput)
    .query(async ({ ctx, input }) => {
      authorizeIn(ctx.authority, {
        permission: "users:read",
        domainId: input.id,
        visibleWith: "domains:read",
        notFound: DOMAIN_NOT_FOUND,
      });
      await findDomain(ctx.db, input.id);
      return listMembers(ctx.db, input.id, input);
    }),
});
