import { isOwner } from "@/server/authz/owner";
import { consolePagesOpenTo, type DeclaringProcedure } from "@/server/trpc/console-pages";
import { router } from "@/server/trpc/init";
import { enrolmentProcedure, protectedProcedure } from "@/server/trpc/procedures";
import { domainsOfMember, heldPermissions } from "./me";

/**
 * The signed-in user's own view of themselves: nothing here is a row the console acts on.
 * `appProcedures` gives the app router's procedures, whose declared pages `me.console` lists; the
 * app router is built from this one, so it is asked for at call time.
 */
export const createMeRouter = (appProcedures: () => Record<string, DeclaringProcedure>) => router({
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
        "The console pages the signed-in user may open, in navigation order: each page is declared by the query behind it, and listed when that query's own permission check would let the user through.",
      can: false,
    })
    .query(async ({ ctx }) => consolePagesOpenTo(await ctx.authority(), appProcedures())),

  domains: protectedProcedure
    .meta({ description: "The domains (tenants) the signed-in user belongs to through any role assignment, by name.", can: false })
    .query(({ ctx }) => domainsOfMember(ctx.db, ctx.user.id)),
});
