import type { GatehouseTool } from "../tool";
import { whoami } from "./whoami";

/** Every tool the MCP endpoint offers, in the order `tools/list` shows them. */
export const MCP_TOOLS: readonly GatehouseTool[] = [whoami];

export function findTool(name: string): GatehouseTool | undefined {
  return MCP_TOOLS.find((tool) => tool.name === name);
}
