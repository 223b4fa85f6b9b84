import { z } from "zod";
import { pageInputFields } from "@/server/paging";
import { router } from "@/server/trpc/init";
import { canFlagsOfPage, permissionProcedure, rowProcedure } from "@/server/trpc/procedures";
import { LOCKOUT_NOT_FOUND, unlock } from "./commands";
import { findLockout, listLockouts } from "./queries";

type LockoutPage = Awaited<ReturnType<typeof listLockouts>>;

// The inputs live here while no MCP tool shares them; they move to inputs.ts when one does.
const listLockoutsInput = z.object(pageInputFields("lockout", "lockouts")).default({ limit: 50 });
const lockoutKeyInput = z.object({
  key: z.string().trim().min(1, "Name the lockout to clear.").max(300, "That is not a lockout's name.").describe("The lockout's key, as lockouts.list returns it."),
});

/** Brute-force lockouts of the attempt limiter, and clearing them (Keycloak's "brute force detection"). */
export const lockoutsRouter = router({
  list: permissionProcedure("users:read")
    .meta({
      description:
        "Lists the brute-force lockouts in force that you may see (accounts in your domains; networks only with users:read globally), ending soonest first: who or which address, which limit, how many attempts, and until when.",
      page: { href: "/lockouts", label: "Lockouts" },
      can: canFlagsOfPage<LockoutPage["items"][number]>({
        unlock: { procedure: "lockouts.unlock", input: (row) => ({ key: row.key }) },
      }),
    })
    .input(listLockoutsInput)
    .query(({ ctx, input }) => listLockouts(ctx.db, ctx.authority, { userId: ctx.user.id }, input)),

  unlock: rowProcedure({
    permission: "users:admin",
    visibleWith: "users:read",
    input: lockoutKeyInput,
    load: (db, input) => findLockout(db, input.key),
    notFound: LOCKOUT_NOT_FOUND,
  })
    .meta({
      description:
        "Clears a brute-force lockout at once, so the account (or network) may try again and its count starts afresh; like lifting a ban, it raises nobody's privileges. Nobody clears their own.",
      stepUp: false,
    })
    .mutation(({ ctx }) => unlock(ctx, ctx.row)),
});
