import { accountRouter } from "@/server/account/router";
import { createMeRouter } from "@/server/account/me-router";
import { auditRouter } from "@/server/audit/router";
import { clientMetadataDocumentsRouter } from "@/server/clients/metadata-documents-router";
import { clientsRouter } from "@/server/clients/router";
import { dashboardRouter } from "@/server/dashboard/router";
import { domainsRouter } from "@/server/domains/router";
import { grantsRouter } from "@/server/grants/router";
import { lockoutsRouter } from "@/server/lockouts/router";
import { mcpRouter } from "@/server/mcp/router";
import { rolesRouter } from "@/server/roles/router";
import { sessionsRouter } from "@/server/sessions/router";
import { usersRouter } from "@/server/users/router";
import type { DeclaringProcedure } from "./console-pages";
import { healthProcedure } from "./health";
import { createCallerFactory, router } from "./init";

/** The console's navigation follows this order: each page is declared by the list query behind it. */
export const appRouter = router({
  health: healthProcedure,
  me: createMeRouter(appProcedures),
  users: usersRouter,
  roles: rolesRouter,
  domains: domainsRouter,
  clients: clientsRouter,
  clientMetadataDocuments: clientMetadataDocumentsRouter,
  sessions: sessionsRouter,
  grants: grantsRouter,
  lockouts: lockoutsRouter,
  audit: auditRouter,
  account: accountRouter,
  mcp: mcpRouter,
  dashboard: dashboardRouter,
});

function appProcedures(): Record<string, DeclaringProcedure> {
  return (appRouter as unknown as { _def: { procedures: Record<string, DeclaringProcedure> } })._def.procedures;
}

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
