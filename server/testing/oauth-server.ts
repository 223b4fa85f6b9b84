import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Auth, AuthDependencies } from "@/server/auth/auth";
import { DEFAULT_OAUTH_SETTINGS, type OAuthSettings } from "@/server/oauth/config";
import { serveAuthPreflight, serveAuthRequest, serveIssuerMetadata } from "@/server/oauth/routes";
import { createMcpEndpoint, handleMcpRequest, serveProtectedResourceMetadata, type McpEndpoint } from "@/server/mcp/endpoint";
import { createTestAuth } from "./auth";
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from "./db";

export interface OAuthTestServer {
  baseUrl: string;
  auth: Auth;
  database: TestDatabase;
  close(): Promise<void>;
}

async function toRequest(incoming: IncomingMessage, baseUrl: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) value.forEach((item) => headers.append(name, item));
    else if (value !== undefined) headers.set(name, value);
  }
  const method = incoming.method ?? "GET";
  return new Request(new URL(incoming.url ?? "/", baseUrl), {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
}

async function send(response: Response, outgoing: ServerResponse): Promise<void> {
  outgoing.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") outgoing.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outgoing.setHeader("set-cookie", cookies);
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * The authorization server's and the MCP endpoint's real routes (better-auth's handler, the root
 * discovery documents, `/mcp` and its resource metadata: the same functions the Next routes call)
 * behind a real HTTP listener on a free loopback port, so
 * spec clients talk HTTP to it exactly as they would to `npm start`.
 */
export async function startOAuthTestServer(
  options: { oauth?: Partial<OAuthSettings>; rateLimit?: boolean; auth?: Partial<AuthDependencies>; database?: TestDatabaseOptions } = {},
): Promise<OAuthTestServer> {
  const database = await createTestDatabase(options.database);
  // The issuer is the listening URL, which is known only once the port is bound.
  const bound: { auth?: Auth; mcp?: McpEndpoint; baseUrl: string } = { baseUrl: "" };
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      try {
        const { auth, baseUrl } = bound;
        const request = await toRequest(incoming, baseUrl);
        const { pathname } = new URL(request.url);
        const wellKnown = /^\/\.well-known\/(oauth-authorization-server|openid-configuration)(?:\/(.*))?$/.exec(pathname);
        let response: Response;
        if (!auth) response = new Response("starting", { status: 503 });
        else if (wellKnown) {
          const kind = wellKnown[1] as "oauth-authorization-server" | "openid-configuration";
          response = await serveIssuerMetadata(auth, baseUrl, kind, wellKnown[2]?.split("/").filter(Boolean) ?? [], request);
        } else if (pathname === "/mcp") {
          response = await handleMcpRequest(bound.mcp!, request);
        } else if (pathname.startsWith("/.well-known/oauth-protected-resource")) {
          const path = pathname.slice("/.well-known/oauth-protected-resource".length).split("/").filter(Boolean);
          response = serveProtectedResourceMetadata(baseUrl, path, request.method);
        } else if (pathname.startsWith("/api/auth/")) {
          response = request.method === "OPTIONS" ? serveAuthPreflight(request) : await serveAuthRequest(auth, request);
        } else response = new Response("not found", { status: 404 });
        await send(response, outgoing);
      } catch (error) {
        outgoing.statusCode = 500;
        outgoing.end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bound.baseUrl = baseUrl;
  const auth = await createTestAuth(database.db, {
    publicUrl: baseUrl,
    oauth: { ...DEFAULT_OAUTH_SETTINGS, ...options.oauth },
    rateLimit: options.rateLimit ?? false,
    ...options.auth,
  });
  bound.mcp = createMcpEndpoint(database.db, auth, baseUrl);
  bound.auth = auth;
  return {
    baseUrl,
    auth,
    database,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          database.destroy();
          resolve();
        });
      }),
  };
}

/**
 * A public client registered over HTTP (RFC 7591) with the authorization code and refresh grants and
 * every MCP tier: what a command-line MCP client registers. Returns its client_id.
 */
export async function registerPublicClient(server: OAuthTestServer, name: string, redirectUri: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/auth/oauth2/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      scope: "openid offline_access mcp:read",
    }),
  });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { client_id: string }).client_id;
}
