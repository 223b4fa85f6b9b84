import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getAuth } from "@/server/auth/instance";
import { withBodyLimit } from "@/server/body-limit";
import { getAppDatabase } from "@/server/db";
import { methodNotAllowed } from "@/server/http";
import { createTRPCContext } from "@/server/trpc/context";
import { contextOrUnavailable, trpcResponseMeta } from "@/server/trpc/http";
import { appRouter } from "@/server/trpc/root";

async function handler(request: Request) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    responseMeta: trpcResponseMeta,
    createContext: () =>
      contextOrUnavailable(async () => createTRPCContext({ db: getAppDatabase().db, auth: await getAuth(), headers: request.headers })),
  });
  // Errors raised before a procedure runs (an unsupported content type) carry a JSON body without saying so.
  if (response.status < 400 || response.headers.get("content-type")?.includes("json")) return response;
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const limited = withBodyLimit(handler);

export { limited as GET, limited as POST };

const wrongMethod = methodNotAllowed("GET, POST");

export { wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
