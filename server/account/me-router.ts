import { asc, inArray } from "drizzle-orm";
import { domain } from "@/db/schema";
import { sortPermissions } from "@/server/shared/permissions";
import { domainsOfUser } from "@/server/users/visibility";
import { isOwner } from "@/server/authz/owner";
import { router } from "@/server/trpc/init";
import { enrolmentProcedure, protectedProcedure } from "@/server/trpc/procedures";

export const meRouter = router({
  get: enrolmentProcedure.meta({ description: "The signed-in user." }).query(async ({ ctx }) => ({
    id: ctx.user.id,
    email: ctx.user.email,
    name: ctx.user.name,
    isOwner: await isOwner(ctx.db, ctx.user.id),
  })),

  permissions: protectedProcedure
    .meta({
      description:
        "The signed-in user's effective permissions: those held globally and those held per domain. The console hides controls the user cannot use; the server still checks every call.",
    })
    .query(async ({ ctx }) => {
      const authority = await ctx.authority();
      return {
        global: sortPermissions(authority.global),
        byDomain: Object.fromEntries([...authority.byDomain].map(([domainId, permissions]) => [domainId, sortPermissions(permissions)])),
      };
    }),

  domains: protectedProcedure
    .meta({ description: "The domains (tenants) the signed-in user belongs to through any role assignment, by name." })
    .query(async ({ ctx }) => {
      const ids = await domainsOfUser(ctx.db, ctx.user.id);
      if (ids.length === 0) return [];
      return ctx.db
        .select({ id: domain.id, name: domain.name, slug: domain.slug })
        .from(domain)
        .where(inArray(domain.id, ids))
        .orderBy(asc(domain.name));
    }),
});
