import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import { createGatehouseMcpServer, type ToolOutcome } from "./server";
import { MCP_SCOPES, toolAllowed, type GatehouseTool, type ToolContext } from "./tool";
import { MCP_TOOLS } from "./tools";

export const TEST_CLIENT_ID = "test-client";

export interface RecordedCall {
  tool: string;
  outcome: ToolOutcome;
}

export interface McpSession {
  client: Client;
  /** What tools/list answered, which also primed the client's structured-output validators. */
  tools: Tool[];
  /** What the server's recorder was told, in call order. */
  calls: RecordedCall[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/**
 * An SDK client talking to a Gatehouse MCP server over an in-memory pair, acting for `userId` as a
 * verified token for `test-client` would: the same tool filter and tRPC context as `/mcp`, without
 * HTTP or token verification. `listFilter: false` registers every tool regardless of the user's
 * roles, to show that the procedures refuse on their own.
 */
export async function connectAs(
  deps: { db: Database; auth: Auth },
  userId: string,
  options: {
    scopes?: readonly string[];
    listFilter?: boolean;
    tools?: readonly GatehouseTool[];
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
  const grants = await context.grants();
  const toolContext: ToolContext = { caller: createCaller(context), grants, clientId: TEST_CLIENT_ID, scopes };
  const calls: RecordedCall[] = [];
  const offered = (options.tools ?? MCP_TOOLS).filter((tool) => options.listFilter === false || toolAllowed(tool, scopes, grants));
  const server = createGatehouseMcpServer(offered, toolContext, async (tool, outcome) => {
    calls.push({ tool: tool.name, outcome });
  });

  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "gatehouse-tests", version: "0.0.0" });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  // callTool validates structured content only against schemas the client has listed.
  const { tools } = await client.listTools();

  return {
    client,
    tools,
    calls,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
