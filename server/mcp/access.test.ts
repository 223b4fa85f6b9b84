import { expect, test } from "vitest";
import { Authority } from "@/server/authz/authority";
import { ALL_PERMISSIONS } from "@/server/shared/permissions";
import { MCP_METHOD_ACCESS, MCP_NOTIFICATIONS, needsOf, offerFor, targetOf } from "./access";
import { memoryLogLevel } from "./logging";
import { MCP_PROMPTS } from "./prompts";
import { variableOf } from "./resource";
import { MCP_RESOURCES } from "./resources";
import { createGatehouseMcpServer } from "./server";
import { MCP_SCOPES } from "./catalog";
import type { ToolContext } from "./tool";
import { MCP_TOOLS } from "./tools";

/** The SDK keeps its handlers in two maps; reading them is the only way to see every method a server answers. */
function handledBy(offer: Parameters<typeof createGatehouseMcpServer>[0]) {
  const server = createGatehouseMcpServer(offer, {} as ToolContext, { record: async () => undefined, logLevel: memoryLogLevel() });
  const protocol = server.server as unknown as { _requestHandlers: Map<string, unknown>; _notificationHandlers: Map<string, unknown> };
  return { requests: [...protocol._requestHandlers.keys()].sort(), notifications: [...protocol._notificationHandlers.keys()].sort() };
}

const everything = { tools: MCP_TOOLS, resources: MCP_RESOURCES, prompts: MCP_PROMPTS };

test("every request method the server registers is declared in the method table, and the table declares nothing the server does not answer", () => {
  const { requests, notifications } = handledBy(everything);
  expect(requests).toEqual(Object.keys(MCP_METHOD_ACCESS).sort());
  expect(notifications).toEqual([...MCP_NOTIFICATIONS].sort());
});

test("a server with less to offer registers a subset of the table, never a method outside it", () => {
  for (const offer of [
    { tools: MCP_TOOLS.slice(0, 1), resources: [], prompts: [] },
    { tools: [], resources: MCP_RESOURCES.slice(0, 1), prompts: [] },
    { tools: [], resources: [], prompts: MCP_PROMPTS.slice(0, 1) },
    { tools: [], resources: [], prompts: [] },
  ]) {
    for (const method of handledBy(offer).requests) expect(MCP_METHOD_ACCESS, method).toHaveProperty([method]);
  }
});

/** A URI naming something for each resource: the template with an id put in. */
const sampleUri = (uriTemplate: string) => uriTemplate.replace(/\{[^}]+\}/, "some-id");

test("each method that names something resolves to exactly that tool, resource or prompt, with its scope and permissions", () => {
  const targetMethods = Object.entries(MCP_METHOD_ACCESS)
    .filter(([, access]) => access.kind === "target")
    .map(([method]) => method)
    .sort();
  expect(targetMethods).toEqual(["completion/complete", "prompts/get", "resources/read", "tools/call"]);

  for (const tool of MCP_TOOLS) {
    const target = targetOf({ method: "tools/call", params: { name: tool.name, arguments: {} } });
    expect(target).toEqual({ kind: "tool", tool });
    expect(needsOf(target!)).toEqual({ name: tool.name, scopes: [tool.scope], permissions: tool.permissions });
  }
  for (const resource of MCP_RESOURCES) {
    const uri = sampleUri(resource.uriTemplate);
    expect(targetOf({ method: "resources/read", params: { uri } })).toEqual({ kind: "resource", resource, uri });
    expect(needsOf({ kind: "resource", resource, uri })).toEqual({ name: resource.uriTemplate, scopes: [resource.scope], permissions: resource.permissions });
    if (variableOf(resource) !== null) {
      expect(targetOf({ method: "completion/complete", params: { ref: { type: "ref/resource", uri: resource.uriTemplate } } })).toEqual({
        kind: "resource",
        resource,
        uri: resource.uriTemplate,
      });
    }
  }
  for (const prompt of MCP_PROMPTS) {
    expect(targetOf({ method: "prompts/get", params: { name: prompt.name } })).toEqual({ kind: "prompt", prompt });
    expect(targetOf({ method: "completion/complete", params: { ref: { type: "ref/prompt", name: prompt.name } } })).toEqual({ kind: "prompt", prompt });
    const needs = needsOf({ kind: "prompt", prompt });
    expect(needs.scopes).toEqual(["mcp:read"]);
    expect([...needs.permissions].sort()).toEqual([...new Set([...prompt.tools, ...prompt.resources].flatMap((part) => part.permissions))].sort());
  }
});

test("names that match nothing, and malformed params, resolve to no target (the server then says it does not know them)", () => {
  for (const message of [
    { method: "tools/call", params: { name: "no_such_tool" } },
    { method: "tools/call", params: { name: 42 } },
    { method: "tools/call" },
    { method: "resources/read", params: { uri: "gatehouse://nothing/here" } },
    { method: "resources/read", params: { uri: "file:///etc/passwd" } },
    { method: "resources/read", params: { uri: "not a uri" } },
    { method: "resources/read", params: { uri: "gatehouse://users/a/b" } },
    { method: "prompts/get", params: { name: "no_such_prompt" } },
    { method: "completion/complete", params: { ref: { type: "ref/resource", uri: "gatehouse://users/x" } } },
    { method: "completion/complete", params: { ref: { type: "ref/prompt" } } },
    { method: "completion/complete", params: null },
    { method: "tools/list", params: { name: "whoami" } },
  ]) {
    expect(targetOf(message), JSON.stringify(message)).toBeUndefined();
  }
});

test("an owner with every scope is offered everything; with no MCP scope, nothing", () => {
  const owner = new Authority(new Set(ALL_PERMISSIONS), new Map());
  expect(offerFor(MCP_SCOPES, owner)).toEqual(everything);
  expect(offerFor(["openid", "offline_access"], owner)).toEqual({ tools: [], resources: [], prompts: [] });
});
