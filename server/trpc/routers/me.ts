import { sortPermissions } from "@/server/authz/permissions";
import { isOwner } from "@/server/authz/owner";
import { router } from "../init";
import { protectedProcedure } from "../procedures";

export const meRouter = router({
  get: protectedProcedure.meta({ description: "The signed-in user." }).query(async ({ ctx }) => ({
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
      const grants = await ctx.grants();
      return {
        global: sortPermissions(grants.global),
        byDomain: Object.fromEntries([...grants.byDomain].map(([domainId, permissions]) => [domainId, sortPermissions(permissions)])),
      };
    }),
});
