import { createCallerFactory, router } from "./init";
import { healthProcedure } from "./routers/health";
import { meRouter } from "./routers/me";

export const appRouter = router({
  health: healthProcedure,
  me: meRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
