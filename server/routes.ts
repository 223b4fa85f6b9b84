import "server-only";
import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { exportAuditCsv } from "@/server/audit/export";
import { getAuth } from "@/server/auth/instance";
import { withBodyLimit } from "@/server/body-limit";
import { getAppDatabase } from "@/server/db";
import { getEnv } from "@/server/env";
import { checkHealth } from "@/server/health";
import { errorResponse, methodNotAllowed } from "@/server/http";
import { handleMcpRequest, serveProtectedResourceMetadata } from "@/server/mcp/endpoint";
import { getMcpEndpoint } from "@/server/mcp/instance";
import { corsPreflight } from "@/server/oauth/cors";
import { serveAuthPreflight, serveAuthRequest, serveIssuerMetadata } from "@/server/oauth/routes";
import { completeSetupRequest } from "@/server/setup/http";
import { handleTrpcRequest } from "@/server/trpc/http";
import { acceptInvitationRequest } from "@/server/users/invitation-http";

/*
 * Every route handler under app/, built with the app's database, auth and configuration: each
 * route.ts is one line that exports one of these. The import boundaries (.dependency-cruiser.cjs)
 * hold app/ to this entry, so a route never reaches an area's internals and the wiring is in one place.
 */

type Params<Name extends string> = { params: Promise<Partial<Record<Name, string[]>>> };

/** A route that answers GET only; every other method gets a 405 that says so. */
function getOnly<Args extends unknown[]>(GET: (...args: Args) => Promise<Response>) {
  const other = methodNotAllowed("GET");
  return { GET, POST: other, PUT: other, PATCH: other, DELETE: other };
}

/** A JSON POST route: the body is size-limited, and a failure is answered in the error shape API clients read. */
function jsonPost(handle: (deps: { db: Database; auth: Auth }, request: Request) => Promise<Response>) {
  const other = methodNotAllowed("POST");
  return {
    POST: withBodyLimit(async (request: Request) => {
      try {
        return await handle({ db: getAppDatabase().db, auth: await getAuth() }, request);
      } catch (error) {
        return errorResponse(error);
      }
    }),
    GET: other,
    PUT: other,
    PATCH: other,
    DELETE: other,
  };
}

/** GET /api/health: liveness and database reachability for load balancers. */
export const healthRoute = getOnly(async () => {
  const { httpStatus, body } = await checkHealth(getAppDatabase().db);
  return Response.json(body, { status: httpStatus, headers: { "Cache-Control": "no-store" } });
});

/** /api/auth/*: better-auth's handler (sign-in, OAuth endpoints, RFC 7592 registration management). */
export const authRoute = (() => {
  const write = withBodyLimit(async (request: Request) => serveAuthRequest(await getAuth(), request));
  return {
    GET: async (request: Request) => serveAuthRequest(await getAuth(), request),
    POST: write,
    // RFC 7592: a client updates and deletes its own registration at /oauth2/register/<client_id>.
    PUT: write,
    DELETE: async (request: Request) => serveAuthRequest(await getAuth(), request),
    OPTIONS: serveAuthPreflight,
    PATCH: methodNotAllowed("GET, POST, PUT, DELETE"),
  };
})();

/** /api/trpc/*: the console's calls. */
export const trpcRoute = (() => {
  const handle = withBodyLimit(async (request: Request) => handleTrpcRequest({ db: getAppDatabase().db, auth: await getAuth() }, request));
  const other = methodNotAllowed("GET, POST");
  return { GET: handle, POST: handle, PUT: other, PATCH: other, DELETE: other };
})();

/** /mcp: the MCP endpoint answers every method itself (405 for GET and DELETE, CORS preflight, ...). */
export const mcpRoute = (() => {
  const handle = withBodyLimit(async (request: Request) => handleMcpRequest(await getMcpEndpoint(), request));
  return { POST: handle, GET: handle, DELETE: handle, OPTIONS: handle, PUT: handle, PATCH: handle };
})();

/** POST /api/invite: accepts an invitation. */
export const inviteRoute = jsonPost(acceptInvitationRequest);

/** POST /api/setup: creates the first owner from the one-time setup link. */
export const setupRoute = jsonPost(completeSetupRequest);

/** GET /api/audit/export: the audit log as a streamed CSV download; tRPC responses cannot stream, so this is a plain route. */
export const auditExportRoute = getOnly(async (request: Request) => exportAuditCsv({ db: getAppDatabase().db, auth: await getAuth(), request }));

/** The issuer's discovery document at each URL an MCP client probes (RFC 8414 and OIDC discovery). */
export function issuerMetadataRoute(kind: "oauth-authorization-server" | "openid-configuration") {
  const other = methodNotAllowed("GET");
  return {
    async GET(request: Request, { params }: Params<"issuer">) {
      const { issuer = [] } = await params;
      return serveIssuerMetadata(await getAuth(), getEnv().publicUrl, kind, issuer, request);
    },
    OPTIONS: corsPreflight,
    POST: other,
    PUT: other,
    PATCH: other,
    DELETE: other,
  };
}

/** The MCP endpoint's RFC 9728 protected resource metadata. */
export const protectedResourceRoute = (() => {
  async function handle(request: Request, { params }: Params<"resource">) {
    const { resource = [] } = await params;
    return serveProtectedResourceMetadata(getEnv().publicUrl, resource, request.method);
  }
  const other = methodNotAllowed("GET");
  return { GET: handle, OPTIONS: handle, POST: other, PUT: other, PATCH: other, DELETE: other };
})();
