import { randomUUID } from "node:crypto";
import { ErrorCode, type GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { expect, test } from "vitest";
import type { Permission } from "@/server/shared/permissions";
import { createMember, createPersonaWith, personaTestBed } from "@/server/testing/authz";
import { MCP_PROMPTS } from "./prompts";
import { MCP_RESOURCES } from "./resources";
import { withConnection, type connectAs, type McpSession, mcpRefusal } from "./testing";
import { MCP_TOOLS } from "./tools";

const bed = personaTestBed();

const deps = () => bed.deps();

const PROMPTS = ["review_admin_access", "investigate_user_activity", "audit_recent_security_events"];

const session = <T>(userId: string, work: (mcp: McpSession) => Promise<T>, options: Parameters<typeof connectAs>[2] = {}) =>
  withConnection(deps(), userId, work, options);

const promptsOf = (userId: string, scopes?: string[]) =>
  session(userId, async ({ client }) => (client.getServerCapabilities()?.prompts ? (await client.listPrompts()).prompts.map((p) => p.name) : []), {
    scopes,
  });

function textOf(result: GetPromptResult): string {
  return result.messages.map((message) => (message.content.type === "text" ? message.content.text : "")).join("\n");
}


/** A persona holding a custom role with exactly `permissions` in `domainId` (global when null). */
const personaWith = (permissions: Permission[], domainId: string | null = null) => createPersonaWith(deps(), [{ permissions, domainId }]);

const memberOf = (domainId: string, prefix?: string) => createMember(deps(), domainId, prefix);

// ---------------------------------------------------------------------------------------------
// Who is offered which prompt

test("each prompt points only at tools and resources that exist, and every one it names in its text is among them", async () => {
  for (const prompt of MCP_PROMPTS) {
    for (const tool of prompt.tools) expect(MCP_TOOLS, prompt.name).toContain(tool);
    for (const resource of prompt.resources) expect(MCP_RESOURCES, prompt.name).toContain(resource);
    expect(prompt.tools.every((tool) => tool.scope === "mcp:read"), prompt.name).toBe(true);
  }
  // The rendered texts name tools by name and resources by URI; each must be one the prompt declares.
  const target = await memberOf(bed.personas.domainA.id, "named");
  await session(bed.personas.owner.userId, async ({ client }) => {
    for (const prompt of MCP_PROMPTS) {
      const args: Record<string, string> = prompt.name === "investigate_user_activity" ? { user: target.userId } : {};
      const text = textOf(await client.getPrompt({ name: prompt.name, arguments: args }));
      for (const tool of MCP_TOOLS) {
        if (new RegExp(`\\b${tool.name}\\b`).test(text)) expect(prompt.tools, `${prompt.name} names ${tool.name}`).toContain(tool);
      }
      for (const resource of MCP_RESOURCES) {
        const base = resource.uriTemplate.replace(/\{.*$/, "");
        if (resource.uriTemplate.includes("{") && text.includes(base)) expect(prompt.resources, `${prompt.name} names ${base}`).toContain(resource);
      }
    }
  });
});

test("the owner and the auditor are offered all three prompts; a member, who can use none of their tools, none", async () => {
  expect(await promptsOf(bed.personas.owner.userId)).toEqual(PROMPTS);
  expect(await promptsOf(bed.personas.auditor.userId)).toEqual(PROMPTS);
  expect(await promptsOf(bed.personas.member.userId)).toEqual([]);
});

test("a prompt is offered only with every permission of its tools: audit:read alone gets the security review, not the admin review", async () => {
  const auditReader = await personaWith(["audit:read"]);
  expect(await promptsOf(auditReader.userId)).toEqual(["audit_recent_security_events"]);
  const userReader = await personaWith(["users:read", "roles:read"]);
  expect(await promptsOf(userReader.userId)).toEqual([]);
});

test("a token without mcp:read is offered no prompt, whatever the roles", async () => {
  expect(await promptsOf(bed.personas.owner.userId, ["mcp:write", "mcp:admin"])).toEqual([]);
});

test("a domain admin is offered the admin review and the investigation, which show only their domain", async () => {
  expect(await promptsOf(bed.personas.domainAdminA.userId)).toEqual(PROMPTS);
});

// ---------------------------------------------------------------------------------------------
// What the prompts say

test("review_admin_access names the roles that grant an :admin permission, with their ids, and tells the model how to find the holders", async () => {
  await session(bed.personas.owner.userId, async ({ client, calls }) => {
    const listed = (await client.listPrompts()).prompts.find((prompt) => prompt.name === "review_admin_access");
    expect(listed).toMatchObject({ title: "Review who holds admin rights", arguments: [] });
    const result = await client.getPrompt({ name: "review_admin_access" });
    const text = textOf(result);
    expect(text).toContain("- owner (id role_owner, built-in)");
    expect(text).toContain("- admin (id role_admin, built-in)");
    expect(text).toContain("- domain-admin (id role_domain_admin, built-in): users:admin, roles:admin, clients:admin, tokens:admin");
    expect(text).not.toContain("- auditor");
    expect(text).not.toContain("- member");
    expect(text).toContain("gatehouse://roles/{roleId}");
    expect(text).toContain("do not assign, remove or revoke anything");
    expect(calls).toEqual([{ kind: "prompt", name: "review_admin_access", outcome: "ok" }]);
  });
});

test("investigate_user_activity takes an id or an email address, fills in the user's id, and attaches the user's resource", async () => {
  const target = await memberOf(bed.personas.domainA.id, "investigated");
  await session(bed.personas.domainAdminA.userId, async ({ client }) => {
    const listed = (await client.listPrompts()).prompts.find((prompt) => prompt.name === "investigate_user_activity");
    expect(listed?.arguments).toEqual([{ name: "user", description: expect.stringContaining("id or email"), required: true }]);
    for (const given of [target.userId, target.email.toUpperCase()]) {
      const result = await client.getPrompt({ name: "investigate_user_activity", arguments: { user: given } });
      const text = textOf(result);
      expect(text).toContain(`Investigate the recent activity of ${target.email} (user id ${target.userId})`);
      expect(text).toContain(`search_audit_log with actorUserId "${target.userId}"`);
      expect(text).toContain(`targetType "user" and targetId "${target.userId}"`);
      expect(text).toContain(`list_sessions_and_grants with userId "${target.userId}"`);
      const attached = result.messages[1]!.content;
      expect(attached).toMatchObject({ type: "resource", resource: { uri: `gatehouse://users/${target.userId}`, mimeType: "application/json" } });
      expect(JSON.parse((attached as { resource: { text: string } }).resource.text)).toMatchObject({ id: target.userId, email: target.email });
    }
  });
});

test("investigate_user_activity refuses a user outside the caller's domain exactly as one that does not exist", async () => {
  const elsewhere = await memberOf(bed.personas.domainB.id, "elsewhere");
  await session(bed.personas.domainAdminA.userId, async ({ client, calls }) => {
    const hidden = await mcpRefusal(client.getPrompt({ name: "investigate_user_activity", arguments: { user: elsewhere.email } }));
    const missing = await mcpRefusal(client.getPrompt({ name: "investigate_user_activity", arguments: { user: "nobody@example.com" } }));
    expect(hidden.code).toBe(ErrorCode.InvalidParams);
    expect(hidden.message).toBe(missing.message.replace("nobody@example.com", elsewhere.email));
    expect(hidden.message).toContain("No user you can read has the id or email address");
    const byId = await mcpRefusal(client.getPrompt({ name: "investigate_user_activity", arguments: { user: elsewhere.userId } }));
    expect(byId.message).toContain("No user you can read");
    expect(calls.map((call) => call.outcome)).toEqual(["NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]);
  });
});

test("investigate_user_activity's user argument completes to the email addresses the caller can read", async () => {
  const prefix = `prompted-${randomUUID().slice(0, 6)}`;
  const inA = await memberOf(bed.personas.domainA.id, prefix);
  const inB = await memberOf(bed.personas.domainB.id, prefix);
  const completeAs = (userId: string) =>
    session(userId, async ({ client }) => {
      const { completion } = await client.complete({
        ref: { type: "ref/prompt", name: "investigate_user_activity" },
        argument: { name: "user", value: prefix },
      });
      return completion.values;
    });
  expect((await completeAs(bed.personas.owner.userId)).sort()).toEqual([inA.email, inB.email].sort());
  expect(await completeAs(bed.personas.domainAdminA.userId)).toEqual([inA.email]);
});

test("audit_recent_security_events looks back the hours asked for (24 by default) and refuses a number out of range", async () => {
  await session(bed.personas.auditor.userId, async ({ client }) => {
    const before = Date.now();
    const text = textOf(await client.getPrompt({ name: "audit_recent_security_events", arguments: { hours: "6" } }));
    const from = /since (\S+) \(the last 6 hours\)/.exec(text)?.[1];
    expect(from).toBeDefined();
    expect(Math.abs(Date.parse(from!) - (before - 6 * 3600_000))).toBeLessThan(5_000);
    expect(text).toContain(`search_audit_log with from "${from}"`);
    expect(text).toContain("oauth.refresh_token_reused");

    expect(textOf(await client.getPrompt({ name: "audit_recent_security_events" }))).toContain("(the last 24 hours)");
    for (const hours of ["0", "721", "1.5", "soon"]) {
      const refusal = await mcpRefusal(client.getPrompt({ name: "audit_recent_security_events", arguments: { hours } }));
      expect(refusal, hours).toEqual({ code: ErrorCode.InvalidParams, message: "Give hours as a whole number from 1 to 720, or leave it out for 24." });
    }
  });
});

test("a member cannot get a prompt: it is not offered, and with the filter bypassed its procedures refuse", async () => {
  await session(bed.personas.member.userId, async ({ client }) => {
    expect(client.getServerCapabilities()?.prompts).toBeUndefined();
  });
  await session(
    bed.personas.member.userId,
    async ({ client }) => {
      const refusal = await mcpRefusal(client.getPrompt({ name: "review_admin_access" }));
      expect(refusal).toEqual({ code: ErrorCode.InvalidParams, message: "You need the roles:read permission." });
    },
    { listFilter: false },
  );
});

// ---------------------------------------------------------------------------------------------
// Logging

test("the server declares logging; nothing is logged until the client sets a level, then messages at or above it arrive", async () => {
  await session(bed.personas.domainAdminA.userId, async (mcp) => {
    expect(mcp.client.getServerCapabilities()).toMatchObject({ logging: {} });
    await mcp.call("list_roles");
    expect(mcp.logs).toEqual([]);

    await mcp.client.setLoggingLevel("info");
    await mcp.call("list_roles");
    await mcp.client.readResource({ uri: "gatehouse://me" });
    await mcp.client.getPrompt({ name: "review_admin_access" });
    expect(mcp.logs).toEqual([
      { level: "info", logger: "gatehouse", data: expect.stringMatching(/^list_roles answered in \d+ ms; the call is in the audit log\.$/) },
      { level: "info", logger: "gatehouse", data: expect.stringMatching(/^gatehouse:\/\/me was read in \d+ ms; the read is in the audit log\.$/) },
      { level: "info", logger: "gatehouse", data: "The review_admin_access prompt was built; the request is in the audit log." },
    ]);

    mcp.logs.length = 0;
    await mcp.client.setLoggingLevel("warning");
    await mcp.call("list_roles");
    await mcp.call("get_user", { id: bed.personas.owner.userId });
    expect(mcp.logs).toEqual([{ level: "warning", logger: "gatehouse", data: "get_user was refused: User not found." }]);
  });
});

test("a log message never carries what the tool returned: a client secret stays in the one answer", async () => {
  await session(bed.personas.owner.userId, async (mcp) => {
    await mcp.client.setLoggingLevel("debug");
    const created = await mcp.call("create_client", {
      name: "Logged client",
      type: "confidential",
      redirectUris: ["https://logged.example/callback"],
      scopes: ["mcp:read"],
      domainId: null,
    });
    const secret = (created.structuredContent as { clientSecret: string }).clientSecret;
    expect(secret.length).toBeGreaterThan(20);
    expect(mcp.logs).toHaveLength(1);
    expect(JSON.stringify(mcp.logs)).not.toContain(secret);
  });
});
