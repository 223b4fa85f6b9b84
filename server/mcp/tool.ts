import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { Authority } from "@/server/authz/authority";
import type { createCaller } from "@/server/trpc/root";
import { toolOffer, type ToolName, type ToolOffer } from "./catalog";

export type Caller = ReturnType<typeof createCaller>;

/** What a tool, resource or prompt handler gets besides its input: the tRPC caller acting as the token's user. */
export interface ToolContext {
  caller: Caller;
  authority: Authority;
  /** The token's client id and scopes, for tools that report on the call itself (whoami). */
  clientId: string;
  scopes: readonly string[];
}

/** How a tool runs: its schemas and a handler over the tRPC caller. What it offers is in catalog.ts. */
export interface ToolHandler<Input extends z.ZodRawShape = z.ZodRawShape, Output extends z.ZodRawShape = z.ZodRawShape> {
  annotations: ToolAnnotations;
  inputSchema: Input;
  outputSchema: Output;
  run(input: z.output<z.ZodObject<Input>>, context: ToolContext): Promise<z.input<z.ZodObject<Output>>>;
}

/** A Gatehouse tool: an MCP tool over one or more tRPC procedures, offered as its catalog entry says. */
export type GatehouseTool<Input extends z.ZodRawShape = z.ZodRawShape, Output extends z.ZodRawShape = z.ZodRawShape> = ToolOffer &
  ToolHandler<Input, Output>;

/**
 * Joins a tool's handler to its offer in the catalog (by name; tests may pass an offer of their own).
 * Keeps each tool file's types exact while the registry holds them as one list.
 */
export function defineTool<Input extends z.ZodRawShape, Output extends z.ZodRawShape>(
  offer: ToolName | ToolOffer,
  handler: ToolHandler<Input, Output>,
): GatehouseTool {
  return { ...(typeof offer === "string" ? toolOffer(offer) : offer), ...handler } as unknown as GatehouseTool;
}
