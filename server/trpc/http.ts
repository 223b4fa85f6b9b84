import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { resolveResponse } from "@trpc/server/http";
import { BUSY_RETRY_AFTER_SECONDS, databaseBusyErrorOf, type Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { DATABASE_BUSY_MESSAGE } from "@/server/http";
import { createTRPCContext } from "./context";
import { MAX_BATCH_SIZE } from "@/server/shared/limits";
import { appRouter } from "./root";

export const TRPC_ENDPOINT = "/api/trpc";

/** `responseMeta` for the fetch adapter: a 503 from a busy database tells the client when to retry. */
export function trpcResponseMeta({ errors }: { errors: readonly TRPCError[] }): { headers?: Headers } {
  if (!errors.some((error) => error.code === "SERVICE_UNAVAILABLE")) return {};
  return { headers: new Headers({ "Retry-After": String(BUSY_RETRY_AFTER_SECONDS), "Cache-Control": "no-store" }) };
}

/**
 * The context is built before any procedure middleware runs (a session lookup may write), so a busy
 * database there is turned into SERVICE_UNAVAILABLE here rather than an internal error.
 */
export async function contextOrUnavailable<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (databaseBusyErrorOf(error)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_BUSY_MESSAGE, cause: error });
    throw error;
  }
}

const isJson = (request: Request) => /^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "");

/**
 * Why a request may not reach the procedures, or null. The console calls /api/trpc from its own
 * pages only, and the session cookie rides along with whatever a browser sends, so a request another
 * site made the browser send must be told apart:
 * - a foreign `Origin`, or a `Sec-Fetch-Site` other than same-origin (or `none`, a URL typed in for a
 *   query), is refused, for queries as well (they read data);
 * - a mutation (POST) must prove it comes from our pages: `Origin` equal to ours, or, from a browser
 *   that sends no Origin, `Sec-Fetch-Site: same-origin`. A POST with neither is refused: browsers
 *   send one or the other on every POST, and callers without a browser have no cookie session to
 *   ride on (MCP clients use /mcp with a bearer token);
 * - a mutation's body must be JSON, which no HTML form can send (multipart/form-data and text/plain
 *   are what cross-site forms post).
 */
export function crossSiteRefusal(request: Request, publicOrigin: string): TRPCError | null {
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const fromOurPages = "Calls to /api/trpc must come from Gatehouse's own pages";
  if (origin !== null && origin !== publicOrigin) return new TRPCError({ code: "FORBIDDEN", message: `${fromOurPages}; this one came from ${origin}.` });
  if (site !== null && site !== "same-origin" && !(site === "none" && request.method === "GET")) {
    return new TRPCError({ code: "FORBIDDEN", message: `${fromOurPages}; this one came from another site.` });
  }
  if (request.method !== "POST") return null;
  if (origin === null && site !== "same-origin") {
    return new TRPCError({ code: "FORBIDDEN", message: `${fromOurPages}: send the Origin header of the page that makes the call.` });
  }
  if (!isJson(request)) return new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Send tRPC calls as application/json." });
  return null;
}

function procedurePath(request: Request): string {
  const { pathname } = new URL(request.url);
  return pathname.slice(pathname.indexOf(TRPC_ENDPOINT) + TRPC_ENDPOINT.length).replace(/^\/+|\/+$/g, "");
}

/**
 * `/api/trpc`: cross-site requests are refused before tRPC reads their body, in tRPC's own error
 * shape (one error per call of a batch, so the console's client reads it like any other); batches hold
 * at most MAX_BATCH_SIZE calls (400 beyond).
 */
export async function handleTrpcRequest({ db, auth }: { db: Database; auth: Auth }, request: Request): Promise<Response> {
  const refusal = crossSiteRefusal(request, new URL(auth.options.baseURL as string).origin);
  const response = refusal
    ? await resolveResponse({
        router: appRouter,
        // The refused request's body is never read: tRPC answers the calls its URL names with the error.
        req: new Request(request.url, { method: "GET" }),
        path: procedurePath(request),
        error: refusal,
        maxBatchSize: MAX_BATCH_SIZE,
        createContext: () => Promise.reject(refusal),
      })
    : await fetchRequestHandler({
        endpoint: TRPC_ENDPOINT,
        req: request,
        router: appRouter,
        maxBatchSize: MAX_BATCH_SIZE,
        responseMeta: trpcResponseMeta,
        createContext: () => contextOrUnavailable(() => createTRPCContext({ db, auth, headers: request.headers })),
      });
  // Errors raised before a procedure runs (an unsupported content type) carry a JSON body without saying so.
  if (response.status < 400 || response.headers.get("content-type")?.includes("json")) return response;
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
