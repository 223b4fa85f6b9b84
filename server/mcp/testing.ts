import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { expect } from "vitest";
import { LoggingMessageNotificationSchema, McpError, type CallToolResult, type LoggingMessageNotification, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import { memoryLogLevel } from "./logging";
import { MCP_PROMPTS } from "./prompts";
import { promptAllowed, type GatehousePrompt } from "./prompt";
import type { GatehouseResource } from "./resource";
import { MCP_RESOURCES } from "./resources";
import { createGatehouseMcpServer, type McpOutcome } from "./server";
import { MCP_SCOPES, gateAllowed } from "./catalog";
import type { GatehouseTool, ToolContext } from "./tool";
import { MCP_TOOLS } from "./tools";

export const TEST_CLIENT_ID = "test-client";

/** The resource templates the server must list, in order, written out so that changing them is a deliberate change to the tests too. */
export const RESOURCE_TEMPLATES = [
  "gatehouse://users/{userId}",
  "gatehouse://roles/{roleId}",
  "gatehouse://domains/{domainId}",
  "gatehouse://clients/{clientId}",
  "gatehouse://audit/{eventId}",
];

/** The JSON-RPC error a refused request answered with, its message without the SDK's "MCP error <code>:" prefix. */
export async function mcpRefusal(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await promise.then(
    () => {
      throw new Error("expected the request to be refused");
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McpError);
  const { code, message } = error as McpError;
  return { code, message: message.replace(/^MCP error -?\d+: /, "") };
}

export interface RecordedCall {
  kind: "tool" | "resource" | "prompt";
  /** The tool's or prompt's name, or the resource's URI. */
  name: string;
  outcome: McpOutcome;
}

export interface McpSession {
  client: Client;
  /** What tools/list answered, which also primed the client's structured-output validators. */
  tools: Tool[];
  /** What the server's recorder was told, in call order. */
  calls: RecordedCall[];
  /** The log messages the server sent, in order (none until the client sets a level). */
  logs: LoggingMessageNotification["params"][];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/**
 * An SDK client talking to a Gatehouse MCP server over an in-memory pair, acting for `userId` as a
 * verified token for `test-client` would: the same tool filter and tRPC context as `/mcp`, without
 * HTTP or token verification. `listFilter: false` registers every tool, resource and prompt
 * regardless of the user's roles, to show that the procedures refuse on their own.
 */
export async function connectAs(
  deps: { db: Database; auth: Auth },
  userId: string,
  options: {
    scopes?: readonly string[];
    listFilter?: boolean;
    tools?: readonly GatehouseTool[];
    resources?: readonly GatehouseResource[];
    prompts?: readonly GatehousePrompt[];
    /** A token authorized in a session signed in just now (the default), or in none: too old for step-up. */
    signIn?: "fresh" | "none";
  } = {},
): Promise<McpSession> {
  const scopes = options.scopes ?? MCP_SCOPES;
  const signInSession =
    options.signIn === "none" ? null : await (await deps.auth.$context).internalAdapter.createSession(userId);
  const context = await createTRPCContext({
    ...deps,
    headers: new Headers(),
    bearer: { userId, clientId: TEST_CLIENT_ID, tokenId: "t1", sessionId: signInSession?.id ?? null },
  });
  const authority = await context.authority();
  const toolContext: ToolContext = { caller: createCaller(context), authority, clientId: TEST_CLIENT_ID, scopes };
  const calls: RecordedCall[] = [];
  const everything = options.listFilter === false;
  const offer = {
    tools: (options.tools ?? MCP_TOOLS).filter((tool) => everything || gateAllowed(tool, scopes, authority)),
    resources: (options.resources ?? MCP_RESOURCES).filter((resource) => everything || gateAllowed(resource, scopes, authority)),
    prompts: (options.prompts ?? MCP_PROMPTS).filter((prompt) => everything || promptAllowed(prompt, scopes, authority)),
  };
  const server = createGatehouseMcpServer(offer, toolContext, {
    logLevel: memoryLogLevel(),
    record: async (call, outcome) => {
      const name = call.kind === "tool" ? call.tool.name : call.kind === "resource" ? call.uri : call.prompt.name;
      calls.push({ kind: call.kind, name, outcome });
    },
  });

  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "gatehouse-tests", version: "0.0.0" });
  const logs: LoggingMessageNotification["params"][] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    logs.push(notification.params);
  });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  // callTool validates structured content only against schemas the client has listed.
  const { tools } = await client.listTools();

  return {
    client,
    tools,
    calls,
    logs,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** Runs `work` with a connection as `userId` (see connectAs) and closes it afterwards, whatever happens. */
export async function withConnection<T>(
  deps: { db: Database; auth: Auth },
  userId: string,
  work: (mcp: McpSession) => Promise<T>,
  options: Parameters<typeof connectAs>[2] = {},
): Promise<T> {
  const mcp = await connectAs(deps, userId, options);
  try {
    return await work(mcp);
  } finally {
    await mcp.close();
  }
}
