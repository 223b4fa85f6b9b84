import { createCallerFactory, router } from "./init";
import { auditRouter } from "./routers/audit";
import { clientsRouter } from "./routers/clients";
import { domainsRouter } from "./routers/domains";
import { healthProcedure } from "./routers/health";
import { meRouter } from "./routers/me";
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
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
