import { router } from "@/server/trpc/init";
import { permissionProcedure } from "@/server/trpc/procedures";
import { activityInput, registeredClientsInput, securityEventsInput, topClientsInput } from "./inputs";
import { activeSessionCount, activity, grantsByClient, mfaCoverage, recentlyRegisteredClients, securityEvents } from "./queries";

/**
 * The console's home page: one read per section, each needing the permission of the console section
 * it summarises and answering for the part of the installation that permission reaches. Nothing here
 * is a row the console acts on (every query declares `can: false`); its links open the pages that do.
 */
export const dashboardRouter = router({
  activity: permissionProcedure("audit:read")
    .meta({
      description:
        "Counts sign-ins (succeeded and failed) and MCP calls (answered and refused) from the audit log over the last 24 hours by hour, or the last 7 or 30 days by UTC day, zero-filled; readers scoped to some domains count only those domains' events.",
      can: false,
    })
    .input(activityInput)
    .query(async ({ ctx, input }) => activity(ctx.db, ctx.authority.scopeOf("audit:read"), input.range)),

  securityEvents: permissionProcedure("audit:read")
    .meta({
      description:
        "Lists the latest security events in the audit log (second-factor lockouts, failed step-ups, refresh-token reuse and replayed codes, revoked sessions, tokens and grants), newest first, with the actor's name; readers scoped to some domains see only those domains' events.",
      can: false,
    })
    .input(securityEventsInput)
    .query(async ({ ctx, input }) => securityEvents(ctx.db, ctx.authority.scopeOf("audit:read"), input.limit)),

  access: permissionProcedure("tokens:read")
    .meta({
      description:
        "Counts the unexpired browser sessions, and lists the OAuth clients most people hold a live grant to (with how many), among the users and clients the caller may read sessions and grants of.",
      can: false,
    })
    .input(topClientsInput)
    .query(async ({ ctx, input }) => {
      const scope = ctx.authority.scopeOf("tokens:read");
      const [activeSessions, grants] = await Promise.all([activeSessionCount(ctx.db, scope), grantsByClient(ctx.db, scope, input.limit)]);
      return { activeSessions, grantsByClient: grants.items, totalGrants: grants.totalGrants };
    }),

  mfaCoverage: permissionProcedure("users:read")
    .meta({
      description:
        "Counts the users whose roles or domains require a second factor, and how many of them have one, among the users the caller may read; users.list with mfa \"missing\" lists the others.",
      can: false,
    })
    .query(async ({ ctx }) => mfaCoverage(ctx.db, ctx.authority.scopeOf("users:read"))),

  registeredClients: permissionProcedure("clients:read")
    .meta({
      description:
        "Lists the clients that registered themselves (RFC 7591 dynamic registration) in the last 7 days, newest first, with how many there are; such clients belong to no domain, so only global client readers see any.",
      can: false,
    })
    .input(registeredClientsInput)
    .query(async ({ ctx, input }) => recentlyRegisteredClients(ctx.db, ctx.authority.scopeOf("clients:read"), input.limit)),
});
