import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import type { Authority } from "@/server/authz/authority";
import type { Permission } from "@/server/shared/permissions";
import type { GatehouseResource } from "./resource";
import { gateAllowed, type McpScope } from "./catalog";
import type { GatehouseTool, ToolContext } from "./tool";

/** MCP prompt arguments are strings; this is all a Gatehouse prompt needs to say about one. */
export interface PromptArgument {
  description: string;
  required: boolean;
  /** Values the user can pick, matching what has been typed so far, limited to what they can read. */
  complete?(typed: string, context: ToolContext): Promise<string[]>;
}

/**
 * A Gatehouse prompt: a ready-made admin task for the model, written in terms of tools and resources.
 * It is offered only to a token and user who may use every tool and resource it sends the model to,
 * so a prompt never suggests a call that would be refused.
 */
export interface GatehousePrompt {
  name: string;
  title: string;
  description: string;
  tools: readonly GatehouseTool[];
  resources: readonly GatehouseResource[];
  arguments: Record<string, PromptArgument>;
  render(args: Record<string, string | undefined>, context: ToolContext): Promise<GetPromptResult>;
}

export function definePrompt(prompt: GatehousePrompt): GatehousePrompt {
  return prompt;
}

/** The scopes and permissions a prompt needs: those of everything it points to. */
export function promptNeeds(prompt: GatehousePrompt): { scopes: McpScope[]; permissions: Permission[] } {
  const parts = [...prompt.tools, ...prompt.resources];
  return {
    scopes: [...new Set(parts.map((part) => part.scope))],
    permissions: [...new Set(parts.flatMap((part) => part.permissions))],
  };
}

export function promptAllowed(prompt: GatehousePrompt, scopes: readonly string[], authority: Authority): boolean {
  return [...prompt.tools, ...prompt.resources].every((part) => gateAllowed(part, scopes, authority));
}

/** A prompt's single user message. */
export function userMessage(text: string): GetPromptResult["messages"][number] {
  return { role: "user", content: { type: "text", text } };
}
