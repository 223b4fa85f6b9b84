import { expect, test } from "vitest";
import { TOOL_OFFERS } from "./catalog";
import { MCP_TOOLS } from "./tools";

test("every offer in the catalog has exactly one tool that runs it, in the catalog's order", () => {
  expect(MCP_TOOLS.map((tool) => tool.name)).toEqual(TOOL_OFFERS.map((offer) => offer.name));
  for (const [index, offer] of TOOL_OFFERS.entries()) expect(MCP_TOOLS[index]).toMatchObject(offer);
});
