import { accountRouter } from "@/server/account/router";
import { meRouter } from "@/server/account/me-router";
import { auditRouter } from "@/server/audit/router";
import { clientMetadataDocumentsRouter } from "@/server/clients/metadata-documents-router";
import { clientsRouter } from "@/server/clients/router";
import { dashboardRouter } from "@/server/dashboard/router";
import { domainsRouter } from "@/server/domains/router";
import { grantsRouter } from "@/server/grants/router";
import { mcpRouter } from "@/server/mcp/router";
import { rolesRouter } from "@/server/roles/router";
import { sessionsRouter } from "@/server/sessions/router";
import { usersRouter } from "@/server/users/router";
import { healthProcedure } from "./health";
import { createCallerFactory, router } from "./init";

export const appRouter = router({
  health: healthProcedure,
  me: meRouter,
  roles: rolesRouter,
  domains: domainsRouter,
  users: usersRouter,
  audit: auditRouter,
  clients: clientsRouter,
  clientMetadataDocuments: clientMetadataDocumentsRouter,
  sessions: sessionsRouter,
  grants: grantsRouter,
  account: accountRouter,
  mcp: mcpRouter,
  dashboard: dashboardRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
