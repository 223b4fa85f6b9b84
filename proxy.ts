import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER } from "@/app/_lib/request-path";

/**
 * Layouts cannot see the URL they render for, so the session gate would always send people back to
 * "/" after sign-in. Passing the requested path down as a request header lets it return them to the
 * page they asked for.
 */
export function proxy(request: NextRequest) {
  const forwarded = new Headers(request.headers);
  forwarded.set(REQUEST_PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers: forwarded } });
}

export const config = {
  matcher: ["/((?!api/|_next/|mcp|\\.well-known/|favicon.ico).*)"],
};
