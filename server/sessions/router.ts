import { router } from "@/server/trpc/init";
import { canFlagsOfPage, permissionProcedure } from "@/server/trpc/procedures";
import { revokeAllForUser, revokeSession, revokeSessions, sessionToRevoke, userToCutOff } from "./commands";
import { listSessionsInput, revokeAllForUserInput, revokeSessionInput, revokeSessionsInput } from "./inputs";
import { listSessions } from "./queries";

type SessionPage = Awaited<ReturnType<typeof listSessions>>;

/** Browser sign-ins to Gatehouse itself, and ending them. */
export const sessionsRouter = router({
  list: permissionProcedure("tokens:read")
    .meta({
      page: { href: "/sessions", label: "Sessions" },
      description:
        "Lists unexpired browser sessions (by default most recently seen first; sort by last activity or sign-in time), with device, IP address and last-seen time; filter by user.",
      can: canFlagsOfPage<SessionPage["items"][number]>({
        revoke: { procedure: "sessions.revoke", input: (row) => ({ sessionId: row.id }) },
      }),
    })
    .input(listSessionsInput)
    .query(({ ctx, input }) => listSessions(ctx.db, ctx.authority, input, ctx.session.id)),

  revoke: permissionProcedure("tokens:delete")
    .meta({ description: "Signs one browser session out at once.", stepUp: false })
    .input(revokeSessionInput)
    .mutation(async ({ ctx, input }) => revokeSession(ctx, await sessionToRevoke(ctx.db, ctx.authority, input.sessionId))),

  revokeMany: permissionProcedure("tokens:delete")
    .meta({
      description: "Signs several browser sessions out at once (1 to 100), each as sessions.revoke would; if any of them may not be ended, none is.",
      stepUp: false,
    })
    .input(revokeSessionsInput)
    .mutation(({ ctx, input }) => revokeSessions(ctx, input.sessionIds)),

  // It ends grants too; it lives here because signing the person out everywhere is what sets it apart from grants.revoke.
  revokeAllForUser: permissionProcedure("tokens:admin")
    .meta({
      description:
        "Revokes everything a user holds: every OAuth grant and token and every browser session, at once. Use it when an account may be compromised. Needs a recent sign-in.",
      stepUp: { action: "revoke all of a user's access", raises: ["destroys-in-bulk"] },
    })
    .input(revokeAllForUserInput)
    .mutation(async ({ ctx, input }) => revokeAllForUser(ctx, await userToCutOff(ctx.db, ctx.authority, input.userId))),
});
