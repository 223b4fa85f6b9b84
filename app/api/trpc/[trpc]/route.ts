import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getAuth } from "@/server/auth/instance";
import { getAppDatabase } from "@/server/db";
import { createTRPCContext } from "@/server/trpc/context";
import { appRouter } from "@/server/trpc/root";

function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: async () =>
      createTRPCContext({ db: getAppDatabase().db, auth: await getAuth(), headers: request.headers }),
  });
}

export { handler as GET, handler as POST };
