import { sql } from "drizzle-orm";
import { publicProcedure } from "./procedures";

export const healthProcedure = publicProcedure
  .meta({ description: "Liveness of the API and its database.", can: false })
  .query(async ({ ctx }) => {
    await ctx.db.run(sql`select 1`);
    return { status: "ok" as const, db: "ok" as const };
  });
