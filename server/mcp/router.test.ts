import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DOMAIN_ADMIN_ROLE_ID } from "@/db/schema";
import { MCP_SCOPES, type McpScope } from "@/server/mcp/catalog";
import { MCP_TOOLS } from "@/server/mcp/tools";
import { createSignedInOwner, signUp } from "@/server/testing/auth";
import { createDomain, grantRole, MATRIX_PERSONAS, matrixCaller, type Personas, openPersonaTestBed } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { issueUserToken, registerPublicClient } from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { outcome, rejection } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";

let database: TestDatabase;
let personas: Personas;

beforeAll(async () => ({ database, personas } = await openPersonaTestBed()));

afterAll(() => database.destroy());

const ALL_SCOPES: McpScope[] = [...MCP_SCOPES];

function namesOf(tools: readonly { name: string }[]): string[] {
  return tools.map((tool) => tool.name);
}

test("connection names the MCP endpoint, its RFC 9728 metadata, the issuer and what each MCP scope allows", async () => {
  const connection = await personas.member.caller.mcp.connection();
  expect(connection).toEqual({
    mcpUrl: "http://localhost:3000/mcp",
    resourceMetadataUrl: "http://localhost:3000/.well-known/oauth-protected-resource/mcp",
    issuer: "http://localhost:3000/api/auth",
    scopes: [
      { scope: "mcp:read", description: expect.stringContaining("Read") },
      { scope: "mcp:write", description: expect.stringContaining("Create") },
      { scope: "mcp:admin", description: expect.stringContaining("Change role assignments") },
    ],
  });
});

test("every signed-in user may read the connection and preview tools; signed out is UNAUTHORIZED", async () => {
  const rows: Record<string, [string, string]> = {};
  for (const name of MATRIX_PERSONAS) {
    const caller = matrixCaller(personas, name);
    rows[name] = [await outcome(caller.mcp.connection()), await outcome(caller.mcp.previewTools({ scopes: ["mcp:read"] }))];
  }
  expect(rows).toEqual({
    owner: ["ok", "ok"],
    admin: ["ok", "ok"],
    domainAdminOnA: ["ok", "ok"],
    domainAdminOnB: ["ok", "ok"],
    auditor: ["ok", "ok"],
    member: ["ok", "ok"],
    anonymous: ["UNAUTHORIZED", "UNAUTHORIZED"],
  });
});

test("an owner with every MCP scope sees every tool, in the registry's order, with its title, description and scope", async () => {
  const tools = await personas.owner.caller.mcp.previewTools({ scopes: ALL_SCOPES });
  expect(tools).toEqual(MCP_TOOLS.map(({ name, title, description, scope }) => ({ name, title, description, scope })));
});

test("an owner with only mcp:read sees only the read tools, whoami among them", async () => {
  const tools = await personas.owner.caller.mcp.previewTools({ scopes: ["mcp:read"] });
  expect(namesOf(tools)).toContain("whoami");
  expect(new Set(tools.map((tool) => tool.scope))).toEqual(new Set(["mcp:read"]));
  expect(namesOf(tools)).toEqual(namesOf(MCP_TOOLS.filter((tool) => tool.scope === "mcp:read")));
});

test("a token without mcp:read shows no read tool, even to the owner", async () => {
  const tools = await personas.owner.caller.mcp.previewTools({ scopes: ["mcp:write", "mcp:admin"] });
  expect(namesOf(tools)).not.toContain("whoami");
  expect(tools.every((tool) => tool.scope !== "mcp:read")).toBe(true);
  expect(await personas.owner.caller.mcp.previewTools({ scopes: [] })).toEqual([]);
});

test("a member without roles sees only whoami, whatever the scopes", async () => {
  expect(namesOf(await personas.member.caller.mcp.previewTools({ scopes: ALL_SCOPES }))).toEqual(["whoami"]);
});

test("an auditor, who only reads, sees every read tool and nothing more, even with every scope", async () => {
  const tools = await personas.auditor.caller.mcp.previewTools({ scopes: ALL_SCOPES });
  expect(namesOf(tools)).toEqual(namesOf(MCP_TOOLS.filter((tool) => tool.scope === "mcp:read")));
});

test("a permission held in one domain is enough to see a tool; one held nowhere hides it", async () => {
  const names = namesOf(await personas.domainAdminA.caller.mcp.previewTools({ scopes: ALL_SCOPES }));
  expect(names).toContain("assign_role");
  expect(names).toContain("create_client");
  // Domain admins cannot create domains (domains:write), so the tool that does is not offered to them.
  expect(names).not.toContain("create_domain");
});

test("a scope outside the three MCP scopes is BAD_REQUEST, an OpenID scope included", async () => {
  const caller = personas.owner.caller;
  for (const scopes of [["mcp:root"], ["openid"], ["mcp:read", "mcp:everything"]]) {
    const error = await rejection(caller.mcp.previewTools({ scopes: scopes as McpScope[] }));
    expect(error.code).toBe("BAD_REQUEST");
  }
  expect(await outcome(caller.mcp.previewTools({} as { scopes: McpScope[] }))).toBe("BAD_REQUEST");
});

/**
 * The console promises that the preview is what an MCP client will be shown, so it is compared with
 * `tools/list` over HTTP, for real tokens issued through the authorize and token endpoints.
 */
describe("the preview agrees with tools/list at /mcp", () => {
  let server: OAuthTestServer;
  let clientId: string;
  const accounts: Record<"owner" | "domainAdmin" | "member", { cookie: string }> = {
    owner: { cookie: "" },
    domainAdmin: { cookie: "" },
    member: { cookie: "" },
  };

  beforeAll(async () => {
    server = await startOAuthTestServer();
    accounts.owner = await createSignedInOwner(server.database.db, server.auth);
    accounts.member = await signUp(server.auth);
    const domainAdmin = await signUp(server.auth);
    await grantRole(server.database.db, domainAdmin.userId, DOMAIN_ADMIN_ROLE_ID, (await createDomain(server.database.db)).id);
    accounts.domainAdmin = domainAdmin;
    clientId = await registerPublicClient(server.baseUrl, ALL_SCOPES.join(" "));
  });

  afterAll(() => server?.close());

  async function listedTools(token: string): Promise<string[]> {
    const mcp = new Client({ name: "preview-agreement", version: "1.0.0" });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    try {
      return namesOf((await mcp.listTools()).tools);
    } finally {
      await mcp.close();
    }
  }

  const SCOPE_SETS: McpScope[][] = [["mcp:read"], ALL_SCOPES, ["mcp:write", "mcp:admin"]];

  test.each([
    ["the owner", "owner"],
    ["an admin of one domain", "domainAdmin"],
    ["a member without roles", "member"],
  ] as const)("for %s, with every scope set", async (_label, who) => {
    const account = accounts[who];
    const caller = await callerAs({ db: server.database.db, auth: server.auth }, account.cookie);
    for (const scopes of SCOPE_SETS) {
      const previewed = namesOf(await caller.mcp.previewTools({ scopes }));
      if (previewed.length === 0) {
        // No tool to show means no tier to grant: the authorization is refused rather than issue an empty token.
        await expect(issueUserToken(server.baseUrl, account.cookie, { scope: scopes.join(" "), clientId })).rejects.toThrow(/access_denied/);
        continue;
      }
      const { accessToken } = await issueUserToken(server.baseUrl, account.cookie, { scope: scopes.join(" "), clientId });
      expect({ scopes, tools: await listedTools(accessToken) }).toEqual({ scopes, tools: previewed });
    }
  });
});
