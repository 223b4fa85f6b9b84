import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER } from "@/server/shared/request-path";
import { getEnv } from "@/server/env";
import { createNonce, pageSecurityHeaders } from "@/server/security-headers";

/**
 * Every page request passes here (API routes, /mcp, discovery and static files do not):
 * - Layouts cannot see the URL they render for, so the session gate would always send people back to
 *   "/" after sign-in. Passing the requested path down as a request header lets it return them to the
 *   page they asked for.
 * - A fresh CSP nonce per request: Next.js reads it from the Content-Security-Policy request header
 *   and puts it on the scripts it renders; the same policy goes out on the response, with the page's
 *   referrer policy and, behind https, HSTS (see server/security-headers.ts).
 */
export function proxy(request: NextRequest) {
  const env = getEnv();
  const headers = pageSecurityHeaders({
    pathname: request.nextUrl.pathname,
    nonce: createNonce(),
    publicUrl: env.publicUrl,
    development: env.nodeEnv === "development",
  });
  const forwarded = new Headers(request.headers);
  forwarded.set(REQUEST_PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  forwarded.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: ["/((?!api/|_next/|mcp|\\.well-known/|favicon.ico).*)"],
};
