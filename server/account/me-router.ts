import { isOwner } from "@/server/authz/owner";
import { router } from "@/server/trpc/init";
import { enrolmentProcedure, protectedProcedure } from "@/server/trpc/procedures";
import { consoleSections, domainsOfMember, heldPermissions } from "./me";

/** The signed-in user's own view of themselves: nothing here is a row the console acts on. */
export const meRouter = router({
  get: enrolmentProcedure.meta({ description: "The signed-in user.", can: false }).query(async ({ ctx }) => ({
    id: ctx.user.id,
    email: ctx.user.email,
    name: ctx.user.name,
    isOwner: await isOwner(ctx.db, ctx.user.id),
  })),

  permissions: protectedProcedure
    .meta({
      description:
        "The signed-in user's effective permissions: those held globally and those held per domain. MCP clients read them to learn what the other tools will allow; the server still checks every call.",
      can: false,
    })
    .query(async ({ ctx }) => heldPermissions(await ctx.authority())),

  console: protectedProcedure
    .meta({
      description:
        "Which sections of the console the signed-in user may open (users, roles, domains, clients, sessions, audit), decided from their permissions on the server; the console shows its navigation and pages from it.",
      can: false,
    })
    .query(async ({ ctx }) => consoleSections(await ctx.authority())),

  domains: protectedProcedure
    .meta({ description: "The domains (tenants) the signed-in user belongs to through any role assignment, by name.", can: false })
    .query(({ ctx }) => domainsOfMember(ctx.db, ctx.user.id)),
});
