import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { databaseBusyErrorOf, observeDatabaseBusy, type Database } from "@/db/client";
import { databaseBusyResponse } from "@/server/http";
import { recordEvent } from "@/server/audit/record";
import type { Auth } from "@/server/auth/auth";
import { AccessTokenVerifier, REJECTION_DESCRIPTIONS } from "@/server/oauth/access-token";
import { corsPreflight, withCors } from "@/server/oauth/cors";
import { authIssuer, mcpResourceUrl, protectedResourceMetadataUrl } from "@/server/oauth/config";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import { createGatehouseMcpServer, errorResult, permissionRefusal, type ToolOutcome } from "./server";
import { MCP_SCOPES, toolAllowed, type GatehouseTool, type ToolContext } from "./tool";
import { findTool, MCP_TOOLS } from "./tools";

/** Larger JSON-RPC bodies are refused before they are parsed. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

export interface McpEndpoint {
  db: Database;
  auth: Auth;
  publicUrl: string;
  verifier: AccessTokenVerifier;
}

export function createMcpEndpoint(db: Database, auth: Auth, publicUrl: string): McpEndpoint {
  return { db, auth, publicUrl, verifier: new AccessTokenVerifier(db, authIssuer(publicUrl)) };
}

/** The RFC 9728 document for the MCP endpoint. */
export function protectedResourceMetadata(publicUrl: string) {
  return {
    resource: mcpResourceUrl(publicUrl),
    authorization_servers: [authIssuer(publicUrl)],
    scopes_supported: [...MCP_SCOPES],
    bearer_methods_supported: ["header"],
    resource_name: "Gatehouse MCP",
    resource_documentation: `${publicUrl}/clients`,
  };
}

const quote = (value: string) => `"${value.replace(/["\\]/g, "")}"`;

function challenge(endpoint: McpEndpoint, parts: Record<string, string>): string {
  const all = { ...parts, resource_metadata: protectedResourceMetadataUrl(endpoint.publicUrl) };
  return `Bearer ${Object.entries(all)
    .map(([name, value]) => `${name}=${quote(value)}`)
    .join(", ")}`;
}

function jsonError(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

function unauthorized(endpoint: McpEndpoint, error?: { code: string; description: string }): Response {
  const parts: Record<string, string> = error
    ? { error: error.code, error_description: error.description }
    : { scope: "mcp:read" };
  return jsonError(
    401,
    { error: error?.code ?? "unauthorized", error_description: error?.description ?? "Send an access token for this resource" },
    { "WWW-Authenticate": challenge(endpoint, parts) },
  );
}

/** Browsers send Origin; only the console's own origin may call the endpoint from a page (DNS rebinding, CSRF). */
function originAllowed(request: Request, publicUrl: string): boolean {
  const origin = request.headers.get("origin");
  return origin === null || origin === new URL(publicUrl).origin;
}

interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: { name?: unknown } | unknown;
}

function isJsonRpcMessage(message: unknown): message is JsonRpcMessage {
  if (message === null || typeof message !== "object" || Array.isArray(message)) return false;
  const { jsonrpc, id } = message as JsonRpcMessage;
  return jsonrpc === "2.0" && (id === undefined || typeof id === "string" || typeof id === "number");
}

function toolCalled(message: JsonRpcMessage): GatehouseTool | undefined {
  if (message.method !== "tools/call" || !message.params || typeof message.params !== "object") return undefined;
  const name = (message.params as { name?: unknown }).name;
  return typeof name === "string" ? findTool(name) : undefined;
}

async function readBody(request: Request): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  if (!request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) {
    return { ok: false, response: jsonError(415, { error: "invalid_request", error_description: "Send JSON-RPC as application/json" }) };
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_MCP_BODY_BYTES) {
    return { ok: false, response: jsonError(413, { error: "invalid_request", error_description: "The request body is larger than 1 MB" }) };
  }
  const raw = await request.arrayBuffer();
  if (raw.byteLength > MAX_MCP_BODY_BYTES) {
    return { ok: false, response: jsonError(413, { error: "invalid_request", error_description: "The request body is larger than 1 MB" }) };
  }
  try {
    return { ok: true, body: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw)) };
  } catch {
    return {
      ok: false,
      response: jsonError(400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not valid JSON" } }),
    };
  }
}

/**
 * `tools/list` depends only on which tools a caller may see, and turning every tool's zod schemas
 * into JSON Schema is most of its cost; the SDK's answer is kept per set of tools.
 */
const toolListCache = new Map<string, unknown>();
const TOOL_LIST_CACHE_SIZE = 256;

async function rememberToolList(key: string, response: Response): Promise<Response> {
  const text = await response.text();
  try {
    const { result } = JSON.parse(text) as { result?: unknown };
    if (result !== undefined && response.ok) {
      if (toolListCache.size >= TOOL_LIST_CACHE_SIZE) toolListCache.delete(toolListCache.keys().next().value!);
      toolListCache.set(key, result);
    }
  } catch {
    // Not a JSON-RPC answer (an SDK error page): pass it on unchanged and remember nothing.
  }
  return new Response(text, { status: response.status, headers: response.headers });
}

/**
 * `/mcp`: Origin check (403), bearer verification (401 with a challenge pointing at the resource
 * metadata), a scope check per tool before the transport (403 insufficient_scope, so SDK clients step
 * up), then a fresh stateless MCP server whose tools call the tRPC routers as the token's user.
 */
export async function handleMcpRequest(endpoint: McpEndpoint, request: Request): Promise<Response> {
  try {
    const { value, busy } = await observeDatabaseBusy(() => answerMcpRequest(endpoint, request));
    // A tool whose write gave up on a locked database is answered as a whole: nothing was changed, come back later.
    return busy ? databaseBusyResponse(busy) : value;
  } catch (error) {
    const busy = databaseBusyErrorOf(error);
    if (busy) return databaseBusyResponse(busy);
    throw error;
  }
}

async function answerMcpRequest(endpoint: McpEndpoint, request: Request): Promise<Response> {
  if (!originAllowed(request, endpoint.publicUrl)) {
    return jsonError(403, { error: "forbidden", error_description: "Requests from this origin are not accepted" });
  }
  if (request.method !== "POST") {
    return jsonError(405, { error: "method_not_allowed", error_description: "This endpoint is stateless: POST JSON-RPC messages" }, { Allow: "POST" });
  }
  const url = new URL(request.url);
  if (url.searchParams.has("access_token")) {
    return jsonError(
      400,
      { error: "invalid_request", error_description: "Send the access token in the Authorization header, never in the URL" },
      { "WWW-Authenticate": challenge(endpoint, { error: "invalid_request", error_description: "Token in the query string" }) },
    );
  }
  const authorization = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return unauthorized(endpoint);
  const check = await endpoint.verifier.verify(match[1]!, mcpResourceUrl(endpoint.publicUrl));
  if (!check.ok) return unauthorized(endpoint, { code: "invalid_token", description: REJECTION_DESCRIPTIONS[check.reason] });
  const token = check.token;
  if (token.subject === token.clientId) {
    return unauthorized(endpoint, { code: "invalid_token", description: "The console's tools act for a person; this token acts for a client" });
  }

  const parsed = await readBody(request);
  if (!parsed.ok) return parsed.response;
  const messages = (Array.isArray(parsed.body) ? parsed.body : [parsed.body]) as JsonRpcMessage[];
  // The transport takes an empty batch for "nothing to answer" (202) and fails on a message that is not an
  // object (`null`, a string) with a 500, and the tools/list cache below would answer any shape; JSON-RPC
  // calls all of these an invalid request.
  if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
    return jsonError(400, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "Invalid Request: send a JSON-RPC request object, or a non-empty batch of them" },
    });
  }

  const needed = new Set<string>();
  for (const message of messages) {
    const tool = message && typeof message === "object" ? toolCalled(message) : undefined;
    if (tool && !token.scopes.includes(tool.scope)) needed.add(tool.scope);
  }
  if (needed.size > 0) {
    // The client re-authorizes with exactly these, so keep what the token already has.
    const scope = [...new Set([...token.scopes.filter((granted) => MCP_SCOPES.includes(granted as never)), ...needed])].join(" ");
    return jsonError(
      403,
      { error: "insufficient_scope", error_description: `This call needs the scope ${[...needed].join(" ")}` },
      { "WWW-Authenticate": challenge(endpoint, { error: "insufficient_scope", scope, error_description: "The token lacks a scope this call needs" }) },
    );
  }

  const context = await createTRPCContext({
    db: endpoint.db,
    auth: endpoint.auth,
    headers: request.headers,
    bearer: { userId: token.subject, clientId: token.clientId, tokenId: token.jti, sessionId: token.sessionId },
  });
  if (!context.user) return unauthorized(endpoint, { code: "invalid_token", description: "The token's user no longer exists" });
  const grants = await context.grants();
  const toolContext: ToolContext = { caller: createCaller(context), grants, clientId: token.clientId, scopes: token.scopes };
  const record = (tool: GatehouseTool, outcome: ToolOutcome) =>
    recordEvent(endpoint.db, context.actor, {
      action: "mcp.tool_called",
      targetType: "mcp_tool",
      targetId: tool.name,
      details: { scope: tool.scope, outcome },
    }).then(() => undefined);

  // A tool the user's roles do not cover at all is answered here, as a tool error naming the permission.
  const refused = messages.flatMap((message) => {
    const tool = message && typeof message === "object" ? toolCalled(message) : undefined;
    const refusal = tool ? permissionRefusal(tool, grants.everywhere()) : null;
    return tool && refusal ? [{ message, tool, refusal }] : [];
  });
  if (refused.length > 0) {
    // MCP 2025-06-18 has no batches; inside one, a refused call would get a bare "not found" and no audit row.
    if (messages.length > 1) {
      return jsonError(400, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "Send a call to a tool your roles do not allow on its own, not in a batch" },
      });
    }
    const { message, tool, refusal } = refused[0]!;
    await record(tool, "FORBIDDEN");
    return Response.json({ jsonrpc: "2.0", id: message.id ?? null, result: errorResult(refusal) });
  }

  const allowed = MCP_TOOLS.filter((tool) => toolAllowed(tool, token.scopes, grants));
  const listKey = messages.length === 1 && messages[0]?.method === "tools/list" ? allowed.map((tool) => tool.name).join(",") : null;
  const listed = listKey === null ? undefined : toolListCache.get(listKey);
  if (listed) return Response.json({ jsonrpc: "2.0", id: messages[0]!.id ?? null, result: listed });

  // A lone tools/call needs only its own tool on the server; registering every tool costs more than the call.
  const called = messages.length === 1 ? toolCalled(messages[0]!) : undefined;
  const server = createGatehouseMcpServer(called ? allowed.filter((tool) => tool === called) : allowed, toolContext, record);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(request, {
      parsedBody: parsed.body,
      authInfo: {
        token: match[1]!,
        clientId: token.clientId,
        scopes: token.scopes,
        expiresAt: token.expiresAt,
        resource: new URL(mcpResourceUrl(endpoint.publicUrl)),
      },
    });
    return listKey === null ? response : await rememberToolList(listKey, response);
  } finally {
    await server.close();
  }
}

/**
 * `/.well-known/oauth-protected-resource[/mcp]`: the path-inserted URL clients derive from the
 * resource, and the root that older clients try. Anything else names a resource that is not here.
 */
export function serveProtectedResourceMetadata(publicUrl: string, path: readonly string[], method: string): Response {
  if (method === "OPTIONS") return corsPreflight();
  const resourcePath = new URL(mcpResourceUrl(publicUrl)).pathname.replace(/^\/+/, "");
  const requested = path.join("/");
  if (requested !== "" && requested !== resourcePath) {
    return withCors(Response.json({ error: "not_found", error_description: `No protected resource at /${requested}` }, { status: 404 }));
  }
  return withCors(Response.json(protectedResourceMetadata(publicUrl), { headers: { "Cache-Control": "public, max-age=300" } }));
}
