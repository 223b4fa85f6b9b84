import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { databaseBusyErrorOf, observeDatabaseBusy, type Database } from "@/db/client";
import { databaseBusyResponse } from "@/server/http";
import { recordEvent } from "@/server/audit/record";
import type { Auth } from "@/server/auth/auth";
import { AccessTokenVerifier, REJECTION_DESCRIPTIONS } from "@/server/oauth/access-token";
import { corsPreflight, withCors } from "@/server/oauth/cors";
import { authIssuer, mcpResourceUrl, protectedResourceMetadataUrl } from "@/server/oauth/config";
import { OAUTH_SCOPES } from "@/server/shared/scopes";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import { isDeclaredMethod, listingOf, needsOf, offerFor, offerOnly, targetOf, type McpTarget } from "./access";
import { LogLevels } from "./logging";
import {
  createGatehouseMcpServer,
  errorResult,
  permissionRefusal,
  type McpCall,
  type McpCallRecorder,
  type McpOutcome,
} from "./server";
import { MCP_SCOPES } from "./catalog";
import type { ToolContext } from "./tool";
import { endRefreshForStepUp } from "./step-up";
import { mcpAuditDomainOf } from "./audit-domain";

/** Larger JSON-RPC bodies are refused before they are parsed. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

export interface McpEndpoint {
  db: Database;
  auth: Auth;
  publicUrl: string;
  verifier: AccessTokenVerifier;
  /** The `logging/setLevel` choices of the clients this process has served. */
  logLevels: LogLevels;
}

export function createMcpEndpoint(db: Database, auth: Auth, publicUrl: string): McpEndpoint {
  return { db, auth, publicUrl, verifier: new AccessTokenVerifier(db, authIssuer(publicUrl)), logLevels: new LogLevels() };
}

/**
 * What a client without a token is told to ask for: every MCP tier, and a refresh token. MCP clients
 * register and authorize with exactly this (the SDK's scope strategy, SEP-835), the authorization
 * server grants the tiers the person's roles can use, and `offline_access` is how an MCP client gets
 * a refresh token by default.
 */
export const CHALLENGE_SCOPES = [...MCP_SCOPES, "offline_access"] as const;

/** The RFC 9728 document for the MCP endpoint. */
export function protectedResourceMetadata(publicUrl: string) {
  return {
    resource: mcpResourceUrl(publicUrl),
    authorization_servers: [authIssuer(publicUrl)],
    // A client that finds no scope in the challenge asks for these instead (the SDK does), so they are the same.
    scopes_supported: [...CHALLENGE_SCOPES],
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
    : { scope: CHALLENGE_SCOPES.join(" ") };
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

/** URIs are an id behind a prefix and prompt arguments an id or an email; anything longer is kept only this far. */
const MAX_AUDITED_TEXT = 300;

/** The audit row of one use of a tool, resource or prompt. */
function auditEntry(call: McpCall, outcome: McpOutcome) {
  switch (call.kind) {
    case "tool":
      return { action: "mcp.tool_called", targetType: "mcp_tool", targetId: call.tool.name, details: { scope: call.tool.scope, outcome } };
    case "resource":
      return {
        action: "mcp.resource_read",
        targetType: "mcp_resource",
        targetId: call.uri.slice(0, MAX_AUDITED_TEXT),
        details: { template: call.resource.uriTemplate, scope: call.resource.scope, outcome },
      };
    case "prompt":
      return {
        action: "mcp.prompt_got",
        targetType: "mcp_prompt",
        targetId: call.prompt.name,
        details: { arguments: call.arguments, outcome },
      };
  }
}

/** The string arguments of a `prompts/get`, as far as the audit row keeps them. */
function promptArguments(message: JsonRpcMessage): Record<string, string> {
  const params = message.params && typeof message.params === "object" ? (message.params as { arguments?: unknown }) : {};
  const given = params.arguments && typeof params.arguments === "object" ? Object.entries(params.arguments) : [];
  return Object.fromEntries(
    given
      .filter((entry): entry is [string, string] => typeof entry[1] === "string")
      .map(([name, value]) => [name, value.slice(0, MAX_AUDITED_TEXT)]),
  );
}

/** The call a refused request would have made, for its audit row; completions are not audited. */
function refusedCall(message: JsonRpcMessage, target: McpTarget): McpCall | null {
  if (message.method === "tools/call" && target.kind === "tool") return { kind: "tool", tool: target.tool };
  if (message.method === "resources/read" && target.kind === "resource") return { kind: "resource", resource: target.resource, uri: target.uri };
  if (message.method === "prompts/get" && target.kind === "prompt") return { kind: "prompt", prompt: target.prompt, arguments: promptArguments(message) };
  return null;
}

/** Requests whose handlers log: once the client has chosen a level, their answer is an event stream carrying the messages. */
const LOGGING_METHODS = new Set(["tools/call", "resources/read", "prompts/get"]);

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
 * A listing (`tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`) depends only
 * on what a caller may use, never on data, and turning every tool's zod schemas into JSON Schema is
 * most of the cost of `tools/list`; the SDK's answer is kept per method and set of names.
 */
const listingCache = new Map<string, unknown>();
const LISTING_CACHE_SIZE = 256;

async function rememberListing(key: string, response: Response): Promise<Response> {
  const text = await response.text();
  try {
    const { result } = JSON.parse(text) as { result?: unknown };
    if (result !== undefined && response.ok) {
      if (listingCache.size >= LISTING_CACHE_SIZE) listingCache.delete(listingCache.keys().next().value!);
      listingCache.set(key, result);
    }
  } catch {
    // Not a JSON-RPC answer (an SDK error page): pass it on unchanged and remember nothing.
  }
  return new Response(text, { status: response.status, headers: response.headers });
}

/**
 * `/mcp`: Origin check (403), bearer verification (401 with a challenge pointing at the resource
 * metadata), a scope check per tool, resource and prompt before the transport (403 insufficient_scope,
 * so SDK clients step up), then a fresh stateless MCP server whose handlers call the tRPC routers as
 * the token's user. What each method needs is declared once, in MCP_METHOD_ACCESS.
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
  // After the token: a client that opens the SSE stream (GET) first must learn that it needs one, and how.
  if (request.method !== "POST") {
    return jsonError(405, { error: "method_not_allowed", error_description: "This endpoint is stateless: POST JSON-RPC messages" }, { Allow: "POST" });
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

  // The method table is the whole surface: a request for anything else never reaches the SDK.
  const undeclared = messages.find(
    (message) => message.id !== undefined && typeof message.method === "string" && !isDeclaredMethod(message.method),
  );
  if (undeclared) {
    if (messages.length > 1) {
      return jsonError(400, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "Invalid Request: a batch asks for a method this server does not have" },
      });
    }
    return Response.json({ jsonrpc: "2.0", id: undeclared.id ?? null, error: { code: -32601, message: "Method not found" } });
  }

  const targets = messages.map((message) => targetOf(message));

  const context = await createTRPCContext({
    db: endpoint.db,
    auth: endpoint.auth,
    headers: request.headers,
    bearer: { userId: token.subject, clientId: token.clientId, tokenId: token.jti, sessionId: token.sessionId },
  });
  if (!context.user) return unauthorized(endpoint, { code: "invalid_token", description: "The token's user no longer exists" });
  const authority = await context.authority();
  const toolContext: ToolContext = { caller: createCaller(context), authority, clientId: token.clientId, scopes: token.scopes };
  // Looked up once per request and only when a call is audited, so requests that audit nothing pay nothing.
  let auditDomain: Promise<string | null> | undefined;
  const userId = context.user.id;
  const record: McpCallRecorder = async (call, outcome) => {
    auditDomain ??= mcpAuditDomainOf(endpoint.db, token.clientId, userId);
    await recordEvent(endpoint.db, context.actor, { ...auditEntry(call, outcome), domainId: await auditDomain });
  };

  // A tool, resource or prompt the user's roles do not cover at all is answered here, naming the permission.
  const held = authority.everywhere();
  const refused = messages.flatMap((message, index) => {
    const target = targets[index];
    if (!target) return [];
    const { name, permissions } = needsOf(target);
    const refusal = permissionRefusal(name, permissions, held);
    return refusal ? [{ message, target, refusal }] : [];
  });
  if (refused.length > 0) {
    // MCP 2025-06-18 has no batches; inside one, a refused call would get a bare "not found" and no audit row.
    if (messages.length > 1) {
      return jsonError(400, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "Send a request your roles do not allow on its own, not in a batch" },
      });
    }
    const { message, target, refusal } = refused[0]!;
    const call = refusedCall(message, target);
    if (call) await record(call, "FORBIDDEN");
    if (message.method === "tools/call") return Response.json({ jsonrpc: "2.0", id: message.id ?? null, result: errorResult(refusal) });
    return Response.json({ jsonrpc: "2.0", id: message.id ?? null, error: { code: -32602, message: refusal } });
  }

  // Only now, for what the person's roles do allow: more scope is worth a new authorization.
  const needed = new Set<string>();
  for (const target of targets) {
    for (const scope of target ? needsOf(target).scopes : []) if (!token.scopes.includes(scope)) needed.add(scope);
  }
  if (needed.size > 0) {
    await endRefreshForStepUp(endpoint.db, { userId: token.subject, clientId: token.clientId, needed: [...needed] }, context.actor);
    // The client re-authorizes with exactly these, so they keep what the token already has (its refresh token included).
    const kept = token.scopes.filter((granted) => (OAUTH_SCOPES as readonly string[]).includes(granted));
    const scope = [...new Set([...kept, ...needed])].join(" ");
    return jsonError(
      403,
      { error: "insufficient_scope", error_description: `This call needs the scope ${[...needed].join(" ")}` },
      { "WWW-Authenticate": challenge(endpoint, { error: "insufficient_scope", scope, error_description: "The token lacks a scope this call needs" }) },
    );
  }

  const offer = offerFor(token.scopes, authority);
  const lone = messages.length === 1 ? messages[0]! : undefined;
  const listing = lone && typeof lone.method === "string" ? listingOf(lone.method, offer) : null;
  const listKey = listing?.key ?? null;
  const listed = listing?.empty ?? (listKey === null ? undefined : listingCache.get(listKey));
  if (listed) return Response.json({ jsonrpc: "2.0", id: lone!.id ?? null, result: listed });

  // A lone call needs only what it names on the server. A completion gets the whole offer: the SDK
  // answers completions only when some template or prompt argument on the server has a completer.
  const loneTarget = lone && lone.method !== "completion/complete" ? targets[0] : undefined;
  const logLevel = endpoint.logLevels.for(token.subject, token.clientId);
  const streamsLogs = lone !== undefined && LOGGING_METHODS.has(String(lone.method)) && logLevel.get() !== undefined;
  const server = createGatehouseMcpServer(loneTarget ? offerOnly(loneTarget) : offer, toolContext, { record, logLevel });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: !streamsLogs });
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
    if (streamsLogs) {
      // The stream ends with the answer; reading it whole keeps the busy check and the server's lifetime as for JSON.
      const headers = new Headers(response.headers);
      headers.delete("connection");
      return new Response(await response.text(), { status: response.status, headers });
    }
    return listKey === null ? response : await rememberListing(listKey, response);
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
