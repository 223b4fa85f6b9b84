import { observeDatabaseBusy } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { databaseBusyResponse } from "@/server/http";
import { withRetryAfter } from "@/server/auth/rate-limits";
import { allowsCrossOrigin, corsPreflight, withCors } from "./cors";
import { issuerMetadataResponse, type MetadataKind } from "./discovery";

const AUTH_BASE_PATH = "/api/auth";
const ISSUER_METADATA_PATH = /^\/api\/auth\/\.well-known\/(oauth-authorization-server|openid-configuration)$/;

/**
 * A few errors are raised by the framework before the provider's endpoint runs (a JSON body where a
 * form is required answers 415 with `{ message, code }`); OAuth clients only understand RFC 6749
 * §5.2 bodies, so those are rewritten to `invalid_request` with the same status.
 */
async function withOAuthErrorBody(response: Response): Promise<Response> {
  if (response.status < 400 || !response.headers.get("content-type")?.includes("application/json")) return response;
  const body = (await response.clone().json().catch(() => null)) as { error?: unknown; message?: unknown } | null;
  if (!body || typeof body.error === "string") return response;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.set("cache-control", "no-store");
  return Response.json(
    { error: "invalid_request", error_description: typeof body.message === "string" ? body.message : "The request is malformed" },
    { status: response.status, headers },
  );
}

/**
 * better-auth answers an unknown path, or a known one with the wrong method, with an empty 404; API
 * clients get the same status with an error body they can read.
 */
function withErrorBody(response: Response, oauthEndpoint: boolean): Response {
  if (response.status < 400 || response.headers.has("content-type")) return response;
  const description = response.status === 404 ? "There is no such endpoint, or it does not accept this method" : response.statusText || "The request was refused";
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.set("cache-control", "no-store");
  const body = oauthEndpoint
    ? { error: response.status === 404 ? "not_found" : "invalid_request", error_description: description }
    : { message: description, code: response.status === 404 ? "NOT_FOUND" : "BAD_REQUEST" };
  return Response.json(body, { status: response.status, headers });
}

/**
 * `/api/auth/*`: better-auth's handler, with CORS on the endpoints other origins may call and a
 * standard `Retry-After` on rate-limited answers.
 */
export async function serveAuthRequest(auth: Auth, request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  const metadata = ISSUER_METADATA_PATH.exec(pathname);
  if (metadata && request.method === "GET") {
    // The provider answers these paths itself, before any hook; the root routes' endpoint runs the
    // hooks (which say whether metadata documents are accepted), so every metadata URL says the same.
    return serveIssuerMetadata(auth, String(auth.options.baseURL), metadata[1] as MetadataKind, [], request);
  }
  const oauthEndpoint = pathname.startsWith(`${AUTH_BASE_PATH}/oauth2/`);
  // better-auth answers any thrown error with a bare 500; a write that gave up on a locked database is a 503.
  const { value: answered, busy } = await observeDatabaseBusy(() => auth.handler(request));
  if (busy && answered.status >= 500) {
    const unavailable = databaseBusyResponse(busy, oauthEndpoint ? "oauth" : "plain");
    return allowsCrossOrigin(pathname, AUTH_BASE_PATH) ? withCors(unavailable) : unavailable;
  }
  let response = withRetryAfter(answered, oauthEndpoint);
  response = withErrorBody(response, oauthEndpoint);
  if (oauthEndpoint) response = await withOAuthErrorBody(response);
  return allowsCrossOrigin(pathname, AUTH_BASE_PATH) ? withCors(response) : response;
}

export function serveAuthPreflight(request: Request): Response {
  if (allowsCrossOrigin(new URL(request.url).pathname, AUTH_BASE_PATH)) return corsPreflight();
  return new Response(null, { status: 405, headers: { Allow: "GET, POST" } });
}

/** `/.well-known/<kind>[/<issuer path>]` at the site root. */
export async function serveIssuerMetadata(
  auth: Auth,
  publicUrl: string,
  kind: MetadataKind,
  issuerPath: readonly string[],
  request: Request,
): Promise<Response> {
  return withCors(await issuerMetadataResponse(auth, publicUrl, kind, issuerPath, request));
}
