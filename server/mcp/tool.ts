import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { Authority } from "@/server/authz/authority";
import type { Permission } from "@/server/shared/permissions";
import type { createCaller } from "@/server/trpc/root";

/** The three MCP scopes, one per tool tier; a token's scope must include a tool's tier for it to run. */
export const MCP_SCOPES = ["mcp:read", "mcp:write", "mcp:admin"] as const;
export type McpScope = (typeof MCP_SCOPES)[number];

export function isMcpScope(scope: string): scope is McpScope {
  return (MCP_SCOPES as readonly string[]).includes(scope);
}

export type Caller = ReturnType<typeof createCaller>;

/** What a tool, resource or prompt handler gets besides its input: the tRPC caller acting as the token's user. */
export interface ToolContext {
  caller: Caller;
  authority: Authority;
  /** The token's client id and scopes, for tools that report on the call itself (whoami). */
  clientId: string;
  scopes: readonly string[];
}

/**
 * A Gatehouse tool: an MCP tool over one or more tRPC procedures. `permissions` are the role
 * permissions the underlying procedures need somewhere (any domain or globally); `tools/list` shows a
 * tool only when the token has `scope` and the user holds every one of them, and the procedures still
 * check the exact domain when the tool runs.
 */
export interface GatehouseTool<Input extends z.ZodRawShape = z.ZodRawShape, Output extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  scope: McpScope;
  permissions: readonly Permission[];
  annotations: ToolAnnotations;
  inputSchema: Input;
  outputSchema: Output;
  run(input: z.output<z.ZodObject<Input>>, context: ToolContext): Promise<z.input<z.ZodObject<Output>>>;
}

/** Keeps each tool file's types exact while the registry holds them as one list. */
export function defineTool<Input extends z.ZodRawShape, Output extends z.ZodRawShape>(
  tool: GatehouseTool<Input, Output>,
): GatehouseTool {
  return tool as unknown as GatehouseTool;
}

/** Anything the MCP server offers behind a scope tier and role permissions: a tool, a resource, a prompt. */
export interface Gated {
  scope: McpScope;
  permissions: readonly Permission[];
}

/** Whether a token with `scopes`, used by someone holding `authority`, may see and use it. */
export function gateAllowed(gated: Gated, scopes: readonly string[], authority: Authority): boolean {
  return scopes.includes(gated.scope) && gated.permissions.every((permission) => authority.hasAnywhere(permission));
}

/** Whether a token with `scopes`, used by someone holding `authority`, may see and call the tool. */
export function toolAllowed(tool: GatehouseTool, scopes: readonly string[], authority: Authority): boolean {
  return gateAllowed(tool, scopes, authority);
}
