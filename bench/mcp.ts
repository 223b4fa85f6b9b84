/**
 * Issue 5's measurement: the MCP endpoint under load from the load process, next to a bare public
 * route served by the same server in the same run. (a) the RFC 9728 metadata document (no database,
 * no auth), (b) `tools/list`, (c) `tools/call whoami`, both with a real user access token.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Database } from "@/db/client";
import { createClient } from "@/server/clients/commands";
import { mcpResourceUrl } from "@/server/oauth/config";
import type { LoadConfig, LoadResult } from "./load";

const CALLBACK = "http://127.0.0.1:9/callback";

export interface McpScenarioResult {
  name: string;
  http: LoadResult;
  throughputRatioToBare: number;
  p50RatioToBare: number;
}

interface TokenOptions {
  origin: string;
  publicUrl: string;
  ownerId: string;
  cookie: string;
}

let clientAddress = 0;

/** A client address of its own per request, so that issuing many tokens does not meet the per-IP limits. */
function nextClientAddress(): string {
  clientAddress += 1;
  return `10.200.${(clientAddress >> 8) & 255}.${clientAddress & 255}`;
}

/** The bench's public client (or confidential one, for introspection), consent skipped, allowed refresh tokens. */
export async function createBenchClient(db: Database, options: TokenOptions, type: "public" | "confidential" = "public") {
  const resource = mcpResourceUrl(options.publicUrl);
  const created = await db.transaction((tx) =>
    createClient(
      tx,
      {
        name: type === "public" ? "Bench MCP client" : "Bench introspecting client",
        type,
        authMethod: "client_secret_basic",
        redirectUris: [CALLBACK],
        scopes: ["mcp:read", "mcp:write", "mcp:admin", "offline_access"],
        domainId: null,
        skipConsent: true,
      },
      { createdBy: options.ownerId, mcpResource: resource },
    ),
  );
  return { ...created.client, secret: created.clientSecret };
}

/** RFC 6749 §2.3.1: client id and secret form-encoded, then Basic. */
export function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}`;
}

/**
 * One authorization-code grant with PKCE through the real authorize and token endpoints; a
 * confidential client authenticates with client_secret_basic.
 */
async function authorizeTokens(options: TokenOptions, clientId: string, scope: string, secret?: string | null) {
  const resource = mcpResourceUrl(options.publicUrl);
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(`${options.origin}/api/auth/oauth2/authorize`);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    scope,
    state: "bench",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    resource,
  })) {
    authorize.searchParams.set(name, value);
  }
  const redirect = await fetch(authorize, { headers: { cookie: options.cookie, "x-forwarded-for": nextClientAddress() }, redirect: "manual" });
  const location = redirect.headers.get("location") ?? ((await redirect.json()) as { url?: string }).url;
  const code = location ? new URL(location).searchParams.get("code") : null;
  if (!code) throw new Error(`authorize did not return a code (${redirect.status})`);
  const grant = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: CALLBACK, code_verifier: verifier, resource });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": nextClientAddress() };
  if (secret) headers.authorization = basicAuthorization(clientId, secret);
  else grant.set("client_id", clientId);
  const token = await fetch(`${options.origin}/api/auth/oauth2/token`, { method: "POST", headers, body: grant });
  const body = (await token.json()) as { access_token?: string; refresh_token?: string };
  if (!body.access_token) throw new Error(`the token endpoint answered ${token.status}`);
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

/** A user access token for the MCP resource. */
export async function issueUserToken(db: Database, options: TokenOptions): Promise<string> {
  const client = await createBenchClient(db, options);
  return (await authorizeTokens(options, client.clientId, "mcp:read mcp:write mcp:admin")).accessToken;
}

/**
 * Token-endpoint bodies for `count` refresh grants. A refresh token rotates on use and a reused one
 * revokes its family, so each body carries a token of its own. Issued by a few flows at a time,
 * which is only setup: the full run needs thousands.
 */
export async function refreshGrantBodies(db: Database, options: TokenOptions, count: number, parallel = 4): Promise<string[]> {
  const client = await createBenchClient(db, options);
  const resource = mcpResourceUrl(options.publicUrl);
  const bodies: string[] = [];
  let started = 0;
  const issueOne = async () => {
    const { refreshToken } = await authorizeTokens(options, client.clientId, "mcp:read offline_access");
    if (!refreshToken) throw new Error("the token endpoint issued no refresh token for offline_access");
    bodies.push(new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: client.clientId, resource }).toString());
  };
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (started < count) {
        started += 1;
        await issueOne();
      }
    }),
  );
  return bodies;
}

/**
 * What a resource server sends to introspect a user's access token: a confidential client of the
 * MCP resource, authenticated with client_secret_basic, asking about a token issued to it.
 */
export async function introspectionRequest(db: Database, options: TokenOptions): Promise<{ authorization: string; body: string }> {
  const client = await createBenchClient(db, options, "confidential");
  if (!client.secret) throw new Error("the confidential bench client got no secret");
  const { accessToken } = await authorizeTokens(options, client.clientId, "mcp:read", client.secret);
  return {
    authorization: basicAuthorization(client.clientId, client.secret),
    body: new URLSearchParams({ token: accessToken, token_type_hint: "access_token" }).toString(),
  };
}

function rpc(method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
}

export function mcpLoadConfigs(origin: string, accessToken: string, load: { connections: number; durationSeconds: number }) {
  const mcpHeaders = {
    authorization: `Bearer ${accessToken}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
  };
  const configs: { name: string; config: LoadConfig }[] = [
    { name: "(a) bare: GET resource metadata", config: { url: `${origin}/.well-known/oauth-protected-resource/mcp`, headers: {}, ...load } },
    { name: "(b) /mcp tools/list", config: { url: `${origin}/mcp`, method: "POST", body: rpc("tools/list"), headers: mcpHeaders, ...load } },
    {
      name: "(c) /mcp tools/call whoami",
      config: { url: `${origin}/mcp`, method: "POST", body: rpc("tools/call", { name: "whoami", arguments: {} }), headers: mcpHeaders, ...load },
    },
  ];
  return configs;
}

export function withRatios(results: { name: string; http: LoadResult }[]): McpScenarioResult[] {
  const bare = results[0]!.http;
  return results.map((result) => ({
    ...result,
    throughputRatioToBare: result.http.requestsPerSecond / bare.requestsPerSecond,
    p50RatioToBare: result.http.p50 / bare.p50,
  }));
}
