import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { databaseBusyErrorOf } from "@/db/client";
import { missingPermissions, type Permission } from "@/server/authz/permissions";
import type { GatehouseTool, ToolContext } from "./tool";

export const MCP_SERVER_INFO = { name: "gatehouse", title: "Gatehouse", version: "0.1.0" } as const;

/**
 * The SDK builds a fresh Ajv instance for every server unless given one; it only compiles schemas
 * for elicitation, which these tools never use, so one shared validator serves every request.
 */
const SHARED_VALIDATOR = new AjvJsonSchemaValidator();

const INSTRUCTIONS =
  "Gatehouse administers users, roles, domains (tenants), OAuth clients, sessions and grants, and keeps an audit log. " +
  "Every tool acts as the signed-in user and can do only what that user's roles allow; call whoami first to see them.";

/** Refusals a person can act on; their message goes back to the model as the tool's error text. */
const REFUSAL_CODES = new Set<TRPCError["code"]>(["FORBIDDEN", "NOT_FOUND", "BAD_REQUEST", "CONFLICT", "PRECONDITION_FAILED"]);

export type ToolOutcome = "ok" | TRPCError["code"] | "INTERNAL_SERVER_ERROR";

export interface ToolCallRecorder {
  (tool: GatehouseTool, outcome: ToolOutcome): Promise<void>;
}

/** createCaller bypasses tRPC's error formatter, so an input refinement arrives as the zod issue list in JSON. */
function refusalMessage(error: TRPCError): string {
  const issue = error.cause instanceof ZodError ? error.cause.issues[0] : undefined;
  if (!issue) return error.message;
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/** The words of a refusal for a tool the user's roles do not cover at all. */
export function permissionRefusal(tool: GatehouseTool, held: ReadonlySet<Permission>): string | null {
  const missing = missingPermissions(held, tool.permissions);
  if (missing.length === 0) return null;
  return `${tool.name} needs the ${missing.join(", ")} permission${missing.length > 1 ? "s" : ""}, which your roles do not grant.`;
}

/**
 * A fresh MCP server for one request, with the tools this token and user may use. Tool errors from
 * the routers (a domain the user cannot act in, bad input) become `isError` results carrying the
 * router's message, so the model can tell the user which permission is missing.
 */
export function createGatehouseMcpServer(tools: readonly GatehouseTool[], context: ToolContext, record: ToolCallRecorder): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, {
    instructions: INSTRUCTIONS,
    capabilities: { tools: {} },
    jsonSchemaValidator: SHARED_VALIDATOR,
  });
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (input: Record<string, unknown>): Promise<CallToolResult> => {
        try {
          const output = (await tool.run(input as never, context)) as Record<string, unknown>;
          await record(tool, "ok");
          return { content: [{ type: "text", text: JSON.stringify(output) }], structuredContent: output };
        } catch (error) {
          // The endpoint answers the whole request 503 with Retry-After; the audit write would be refused too.
          if (databaseBusyErrorOf(error)) throw error;
          if (error instanceof TRPCError && REFUSAL_CODES.has(error.code)) {
            await record(tool, error.code);
            return errorResult(refusalMessage(error));
          }
          console.error(`MCP tool ${tool.name} failed`, error);
          await record(tool, "INTERNAL_SERVER_ERROR").catch(() => undefined);
          return errorResult("Something went wrong on Gatehouse's side. The error has been logged.");
        }
      },
    );
  }
  return server;
}
