import { createCallerFactory, router } from "./init";
import { accountRouter } from "./routers/account";
import { auditRouter } from "./routers/audit";
import { clientMetadataDocumentsRouter } from "./routers/client-metadata-documents";
import { clientsRouter } from "./routers/clients";
import { domainsRouter } from "./routers/domains";
import { healthProcedure } from "./routers/health";
import { mcpRouter } from "./routers/mcp";
import { meRouter } from "./routers/me";
import { revocationsRouter } from "./routers/revocations";
import { rolesRouter } from "./routers/roles";
import { usersRouter } from "./routers/users";

export const appRouter = router({
  health: healthProcedure,
  me: meRouter,
  roles: rolesRouter,
  domains: domainsRouter,
  users: usersRouter,
  audit: auditRouter,
  clients: clientsRouter,
  clientMetadataDocuments: clientMetadataDocumentsRouter,
  revocations: revocationsRouter,
  account: accountRouter,
  mcp: mcpRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
