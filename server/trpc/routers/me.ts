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
});
