/**
 * Browser-based MCP clients (the MCP Inspector, web IDEs) discover, register and exchange tokens
 * from another origin. These endpoints take no cookies, so any origin may call them without
 * credentials; the authorize, consent and session endpoints stay same-origin.
 */
const CROSS_ORIGIN_PATHS = new Set([
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server",
  "/jwks",
  "/oauth2/token",
  "/oauth2/register",
  "/oauth2/revoke",
  "/oauth2/introspect",
  "/oauth2/userinfo",
]);

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, MCP-Protocol-Version",
  "Access-Control-Max-Age": "600",
} as const;

export function allowsCrossOrigin(pathname: string, basePath: string): boolean {
  return pathname.startsWith(basePath) && CROSS_ORIGIN_PATHS.has(pathname.slice(basePath.length));
}

export function corsPreflight(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}

export function withCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(CORS_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
