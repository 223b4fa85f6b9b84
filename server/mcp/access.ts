import type { Authority } from "@/server/authz/authority";
import type { Permission } from "@/server/shared/permissions";
import { promptAllowed, promptNeeds, type GatehousePrompt } from "./prompt";
import { MCP_PROMPTS } from "./prompts";
import { matchResource, resourceByTemplate, type GatehouseResource } from "./resource";
import { MCP_RESOURCES } from "./resources";
import type { McpOffer } from "./server";
import { gateAllowed, type McpScope } from "./catalog";
import type { GatehouseTool } from "./tool";
import { findTool, MCP_TOOLS } from "./tools";

/**
 * What a JSON-RPC method needs from the token's scopes and the user's roles before `/mcp` hands it to
 * the transport:
 * - `open`: nothing; it reads no data (the handshake, ping, the client's log level).
 * - `listing`: nothing; the answer lists only what this token and user may use, possibly nothing.
 * - `target`: the scope tier and role permissions of the tool, resource or prompt it names, checked
 *   before the transport: a missing scope is 403 `insufficient_scope` (so clients step up), a missing
 *   permission is a refusal naming it. A name that matches nothing goes on, and the server says it
 *   does not know it.
 */
export type MethodAccess =
  | { kind: "open" }
  | { kind: "listing"; of: "tools" | "resources" | "resource templates" | "prompts" }
  | { kind: "target"; names: "a tool" | "a resource" | "a prompt" | "a prompt or a resource template" };

/** Every request method the server answers; a request for any other is refused before the transport. */
export const MCP_METHOD_ACCESS: Readonly<Record<string, MethodAccess>> = {
  initialize: { kind: "open" },
  ping: { kind: "open" },
  "logging/setLevel": { kind: "open" },
  "tools/list": { kind: "listing", of: "tools" },
  "resources/list": { kind: "listing", of: "resources" },
  "resources/templates/list": { kind: "listing", of: "resource templates" },
  "prompts/list": { kind: "listing", of: "prompts" },
  "tools/call": { kind: "target", names: "a tool" },
  "resources/read": { kind: "target", names: "a resource" },
  "prompts/get": { kind: "target", names: "a prompt" },
  "completion/complete": { kind: "target", names: "a prompt or a resource template" },
};

/** Notifications the server handles; they read and change nothing, so any valid token may send them. */
export const MCP_NOTIFICATIONS: readonly string[] = ["notifications/initialized", "notifications/cancelled", "notifications/progress"];

export function isDeclaredMethod(method: string): boolean {
  return Object.hasOwn(MCP_METHOD_ACCESS, method);
}

export type McpTarget =
  | { kind: "tool"; tool: GatehouseTool }
  | { kind: "resource"; resource: GatehouseResource; uri: string }
  | { kind: "prompt"; prompt: GatehousePrompt };

export function findPrompt(name: string): GatehousePrompt | undefined {
  return MCP_PROMPTS.find((prompt) => prompt.name === name);
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** What a request names, for the methods whose access depends on it. */
export function targetOf(message: { method?: unknown; params?: unknown }): McpTarget | undefined {
  const params = record(message.params);
  switch (message.method) {
    case "tools/call": {
      const tool = typeof params.name === "string" ? findTool(params.name) : undefined;
      return tool && { kind: "tool", tool };
    }
    case "resources/read": {
      const match = typeof params.uri === "string" ? matchResource(MCP_RESOURCES, params.uri) : undefined;
      return match && { kind: "resource", resource: match.resource, uri: match.uri };
    }
    case "prompts/get": {
      const prompt = typeof params.name === "string" ? findPrompt(params.name) : undefined;
      return prompt && { kind: "prompt", prompt };
    }
    case "completion/complete": {
      const ref = record(params.ref);
      if (ref.type === "ref/prompt" && typeof ref.name === "string") {
        const prompt = findPrompt(ref.name);
        return prompt && { kind: "prompt", prompt };
      }
      if (ref.type === "ref/resource" && typeof ref.uri === "string") {
        const resource = resourceByTemplate(MCP_RESOURCES, ref.uri);
        return resource && { kind: "resource", resource, uri: resource.uriTemplate };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The scopes and permissions using a target needs, and the name a refusal gives it. */
export function needsOf(target: McpTarget): { name: string; scopes: McpScope[]; permissions: readonly Permission[] } {
  switch (target.kind) {
    case "tool":
      return { name: target.tool.name, scopes: [target.tool.scope], permissions: target.tool.permissions };
    case "resource":
      return { name: target.resource.uriTemplate, scopes: [target.resource.scope], permissions: target.resource.permissions };
    case "prompt":
      return { name: target.prompt.name, ...promptNeeds(target.prompt) };
  }
}

/** Everything a token with `scopes`, used by someone holding `authority`, is offered. */
export function offerFor(scopes: readonly string[], authority: Authority): McpOffer {
  return {
    tools: MCP_TOOLS.filter((tool) => gateAllowed(tool, scopes, authority)),
    resources: MCP_RESOURCES.filter((resource) => gateAllowed(resource, scopes, authority)),
    prompts: MCP_PROMPTS.filter((prompt) => promptAllowed(prompt, scopes, authority)),
  };
}

/** Just the one target a lone request needs on its server: registering the rest costs more than the call. */
export function offerOnly(target: McpTarget): McpOffer {
  return {
    tools: target.kind === "tool" ? [target.tool] : [],
    resources: target.kind === "resource" ? [target.resource] : [],
    prompts: target.kind === "prompt" ? [target.prompt] : [],
  };
}

/**
 * A listing's cache key (the names its answer depends on) and, when the offer has nothing of that
 * kind, the empty answer: the SDK registers no list handler for a kind with nothing in it.
 */
export function listingOf(method: string, offer: McpOffer): { key: string; empty: Record<string, []> | null } | null {
  const listing = (parts: readonly { name: string }[], field: string) => ({
    key: `${method}\n${parts.map((part) => part.name).join(",")}`,
    empty: parts.length === 0 ? { [field]: [] as [] } : null,
  });
  switch (method) {
    case "tools/list":
      return listing(offer.tools, "tools");
    case "resources/list":
      return listing(offer.resources, "resources");
    case "resources/templates/list":
      return listing(offer.resources, "resourceTemplates");
    case "prompts/list":
      return listing(offer.prompts, "prompts");
    default:
      return null;
  }
}
