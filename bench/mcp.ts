/**
 * Issue 5's measurement: the MCP endpoint under load from the load process, next to a bare public
 * route served by the same server in the same run. (a) the RFC 9728 metadata document (no database,
 * no auth), (b) `tools/list`, (c) `tools/call whoami`, both with a real user access token.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Database } from "@/db/client";
import { createClient } from "@/server/oauth/clients";
import { mcpResourceUrl } from "@/server/oauth/config";
import type { LoadConfig, LoadResult } from "./load";

const CALLBACK = "http://127.0.0.1:9/callback";

export interface McpScenarioResult {
  name: string;
  http: LoadResult;
  throughputRatioToBare: number;
  p50RatioToBare: number;
}

/** A user access token for the MCP resource, through the real authorize and token endpoints. */
export async function issueUserToken(db: Database, options: { origin: string; publicUrl: string; ownerId: string; cookie: string }) {
  const resource = mcpResourceUrl(options.publicUrl);
  const { client } = await db.transaction((tx) =>
    createClient(
      tx,
      {
        name: "Bench MCP client",
        type: "public",
        authMethod: "client_secret_basic",
        redirectUris: [CALLBACK],
        scopes: ["mcp:read", "mcp:write", "mcp:admin"],
        domainId: null,
        skipConsent: true,
      },
      { createdBy: options.ownerId, mcpResource: resource },
    ),
  );
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(`${options.origin}/api/auth/oauth2/authorize`);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: CALLBACK,
    scope: "mcp:read mcp:write mcp:admin",
    state: "bench",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    resource,
  })) {
    authorize.searchParams.set(name, value);
  }
  const redirect = await fetch(authorize, { headers: { cookie: options.cookie }, redirect: "manual" });
  const location = redirect.headers.get("location") ?? ((await redirect.json()) as { url?: string }).url;
  const code = location ? new URL(location).searchParams.get("code") : null;
  if (!code) throw new Error(`authorize did not return a code (${redirect.status})`);
  const token = await fetch(`${options.origin}/api/auth/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: CALLBACK, code_verifier: verifier, client_id: client.clientId, resource }),
  });
  const body = (await token.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`the token endpoint answered ${token.status}`);
  return body.access_token;
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
