import type { Auth } from "@/server/auth/auth";
import { withRetryAfter } from "@/server/auth/rate-limits";
import { allowsCrossOrigin, corsPreflight, withCors } from "./cors";
import { issuerMetadataResponse, type MetadataKind } from "./discovery";

const AUTH_BASE_PATH = "/api/auth";

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
 * `/api/auth/*`: better-auth's handler, with CORS on the endpoints other origins may call and a
 * standard `Retry-After` on rate-limited answers.
 */
export async function serveAuthRequest(auth: Auth, request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  const oauthEndpoint = pathname.startsWith(`${AUTH_BASE_PATH}/oauth2/`);
  let response = withRetryAfter(await auth.handler(request), oauthEndpoint);
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
