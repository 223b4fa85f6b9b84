import { randomUUID } from "node:crypto";
import { ErrorCode, type ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { expect, test } from "vitest";
import { AUDITOR_ROLE_ID, MEMBER_ROLE_ID, user as userTable } from "@/db/schema";
import type { Permission } from "@/server/shared/permissions";
import { recordEvent } from "@/server/audit/record";
import { createMember, createPersonaWith, personaTestBed } from "@/server/testing/authz";
import { seedClientRow } from "@/server/testing/grants";
import { unique } from "@/server/testing/outcome";
import { MAX_COMPLETIONS, matchResource } from "./resource";
import { MCP_RESOURCES } from "./resources";
import { RESOURCE_NOT_FOUND } from "./server";
import { mcpRefusal, RESOURCE_TEMPLATES, withConnection, type connectAs, type McpSession } from "./testing";

const bed = personaTestBed();

const deps = () => bed.deps();

const session = <T>(userId: string, work: (mcp: McpSession) => Promise<T>, options: Parameters<typeof connectAs>[2] = {}) =>
  withConnection(deps(), userId, work, options);

/** The JSON document a read returned, after checking it is one application/json text content for the URI read. */
function documentOf(result: ReadResourceResult, uri: string): Record<string, unknown> {
  expect(result.contents).toHaveLength(1);
  const [content] = result.contents;
  expect(content).toMatchObject({ uri, mimeType: "application/json" });
  return JSON.parse((content as { text: string }).text) as Record<string, unknown>;
}


const memberOf = (domainId: string, prefix?: string) => createMember(deps(), domainId, prefix);

const seedClient = (domainId: string | null, name = unique("Client")) => seedClientRow(bed.database.db, domainId, { name, scopes: ["openid", "mcp:read"] });

function seedEvent(domainId: string | null) {
  return recordEvent(
    bed.database.db,
    { userId: bed.personas.owner.userId, via: "web", ip: "192.0.2.7", userAgent: "vitest" },
    { action: "test.resource", targetType: "test", targetId: randomUUID(), domainId, details: { note: "seeded" } },
  );
}

/** A persona holding a custom role with exactly `permissions`, globally. */
const personaWith = (permissions: Permission[]) => createPersonaWith(deps(), [{ permissions, domainId: null }]);

// ---------------------------------------------------------------------------------------------
// What is listed

test("an owner is offered gatehouse://me as a resource and a template for users, roles, domains, clients and audit events", async () => {
  await session(bed.personas.owner.userId, async ({ client }) => {
    expect(client.getServerCapabilities()).toMatchObject({ resources: {}, completions: {}, logging: {} });
    const { resources } = await client.listResources();
    expect(resources).toEqual([
      expect.objectContaining({ uri: "gatehouse://me", name: "me", mimeType: "application/json", title: "Who I am" }),
    ]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(RESOURCE_TEMPLATES);
    for (const template of resourceTemplates) {
      expect(template.mimeType, template.name).toBe("application/json");
      expect(template.description?.length ?? 0, template.name).toBeGreaterThan(60);
    }
  });
});

test("a template is listed only when the role holds its read permission: an auditor sees all, a member none, a users:read role only users", async () => {
  const templatesOf = (userId: string) => session(userId, async ({ client }) => (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate));
  expect(await templatesOf(bed.personas.auditor.userId)).toEqual(RESOURCE_TEMPLATES);
  expect(await templatesOf(bed.personas.member.userId)).toEqual([]);
  const reader = await personaWith(["users:read"]);
  expect(await templatesOf(reader.userId)).toEqual(["gatehouse://users/{userId}"]);
});

test("a token without mcp:read is offered no resource at all, whatever the roles", async () => {
  await session(
    bed.personas.owner.userId,
    async ({ client }) => {
      expect(client.getServerCapabilities()?.resources).toBeUndefined();
    },
    { scopes: ["mcp:write", "mcp:admin"] },
  );
});

// ---------------------------------------------------------------------------------------------
// Reading

test("every resource, read by the owner, is one JSON document of the shape it declares", async () => {
  const user = await memberOf(bed.personas.domainA.id, "readable");
  const client = await seedClient(bed.personas.domainA.id);
  const eventId = await seedEvent(bed.personas.domainA.id);
  const uris: Record<string, string> = {
    me: "gatehouse://me",
    user: `gatehouse://users/${user.userId}`,
    role: `gatehouse://roles/${AUDITOR_ROLE_ID}`,
    domain: `gatehouse://domains/${bed.personas.domainA.id}`,
    client: `gatehouse://clients/${client.clientId}`,
    audit_event: `gatehouse://audit/${eventId}`,
  };
  expect(Object.keys(uris).sort()).toEqual(MCP_RESOURCES.map((resource) => resource.name).sort());

  await session(bed.personas.owner.userId, async (mcp) => {
    for (const resource of MCP_RESOURCES) {
      const uri = uris[resource.name]!;
      const document = documentOf(await mcp.client.readResource({ uri }), uri);
      const parsed = resource.contents.safeParse(document);
      expect(parsed.error?.issues, resource.name).toBeUndefined();
      expect(parsed.data, resource.name).toEqual(document);
    }
    expect(mcp.calls).toEqual(MCP_RESOURCES.map((resource) => ({ kind: "resource", name: uris[resource.name], outcome: "ok" })));
  });
});

test("the resources say what the console says: a user's roles, a role's holders, a client's domain, an event's details", async () => {
  const user = await memberOf(bed.personas.domainA.id, "described");
  const client = await seedClient(bed.personas.domainA.id, "Described client");
  const eventId = await seedEvent(bed.personas.domainA.id);
  await session(bed.personas.owner.userId, async ({ client: mcp }) => {
    const read = async (uri: string) => documentOf(await mcp.readResource({ uri }), uri);
    const profile = await read(`gatehouse://users/${user.userId}`);
    expect(profile).toMatchObject({ id: user.userId, email: user.email });
    expect(profile.roles).toContainEqual(expect.objectContaining({ roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainA.id, domainName: "Domain A" }));
    const member = await read(`gatehouse://roles/${MEMBER_ROLE_ID}`);
    expect(member).toMatchObject({ id: MEMBER_ROLE_ID, name: "member", builtIn: true, permissions: [] });
    expect(member.assignments).toContainEqual(expect.objectContaining({ userId: user.userId, domainId: bed.personas.domainA.id }));
    expect(await read(`gatehouse://clients/${client.clientId}`)).toMatchObject({
      clientId: client.clientId,
      name: "Described client",
      domainId: bed.personas.domainA.id,
      liveAccessTokens: 0,
    });
    expect(await read(`gatehouse://audit/${eventId}`)).toMatchObject({
      id: eventId,
      action: "test.resource",
      actorEmail: bed.personas.owner.email,
      ip: "192.0.2.7",
      domainName: "Domain A",
      details: { note: "seeded" },
    });
    expect(await read("gatehouse://me")).toMatchObject({ user: { id: bed.personas.owner.userId, isOwner: true }, clientId: "test-client" });
  });
});

test("a domain admin reads what is in their domain, and anything in another tenant is exactly as not found as what does not exist", async () => {
  const inA = await memberOf(bed.personas.domainA.id, "tenant-a");
  const inB = await memberOf(bed.personas.domainB.id, "tenant-b");
  const clientA = await seedClient(bed.personas.domainA.id);
  const clientB = await seedClient(bed.personas.domainB.id);
  const eventA = await seedEvent(bed.personas.domainA.id);
  const eventB = await seedEvent(bed.personas.domainB.id);
  const installationWide = await seedEvent(null);
  const missing = `missing-${randomUUID()}`;

  await session(bed.personas.domainAdminA.userId, async ({ client }) => {
    for (const uri of [
      `gatehouse://users/${inA.userId}`,
      `gatehouse://domains/${bed.personas.domainA.id}`,
      `gatehouse://clients/${clientA.clientId}`,
      `gatehouse://audit/${eventA}`,
    ]) {
      expect(documentOf(await client.readResource({ uri }), uri)).toBeDefined();
    }
    const pairs: [string, string][] = [
      [`gatehouse://users/${inB.userId}`, `gatehouse://users/${missing}`],
      [`gatehouse://users/${bed.personas.owner.userId}`, `gatehouse://users/${missing}`],
      [`gatehouse://domains/${bed.personas.domainB.id}`, `gatehouse://domains/${missing}`],
      [`gatehouse://clients/${clientB.clientId}`, `gatehouse://clients/${missing}`],
      [`gatehouse://audit/${eventB}`, `gatehouse://audit/${missing}`],
      [`gatehouse://audit/${installationWide}`, `gatehouse://audit/${missing}`],
    ];
    for (const [elsewhere, nowhere] of pairs) {
      const hidden = await mcpRefusal(client.readResource({ uri: elsewhere }));
      const absent = await mcpRefusal(client.readResource({ uri: nowhere }));
      expect(hidden.code, elsewhere).toBe(RESOURCE_NOT_FOUND);
      expect(hidden, elsewhere).toEqual(absent);
    }
  });
});

test("a role lists only the holders in the scopes the reader can read roles in", async () => {
  const inA = await memberOf(bed.personas.domainA.id, "holder-a");
  const inB = await memberOf(bed.personas.domainB.id, "holder-b");
  await session(bed.personas.domainAdminA.userId, async ({ client }) => {
    const uri = `gatehouse://roles/${MEMBER_ROLE_ID}`;
    const { assignments } = documentOf(await client.readResource({ uri }), uri) as { assignments: { userId: string; domainId: string | null }[] };
    expect(assignments.map((assignment) => assignment.userId)).toContain(inA.userId);
    expect(assignments.map((assignment) => assignment.userId)).not.toContain(inB.userId);
    expect(assignments.every((assignment) => assignment.domainId === bed.personas.domainA.id)).toBe(true);
  });
});

test("a member cannot read another user's resource: the template is not offered, and the procedure refuses it too", async () => {
  const uri = `gatehouse://users/${bed.personas.owner.userId}`;
  await session(bed.personas.member.userId, async ({ client }) => {
    expect((await mcpRefusal(client.readResource({ uri }))).code).toBe(ErrorCode.InvalidParams);
  });
  await session(
    bed.personas.member.userId,
    async ({ client, calls }) => {
      const refusal = await mcpRefusal(client.readResource({ uri }));
      expect(refusal).toEqual({ code: ErrorCode.InvalidParams, message: "You need the users:read permission." });
      expect(calls).toEqual([{ kind: "resource", name: uri, outcome: "FORBIDDEN" }]);
    },
    { listFilter: false },
  );
});

test("ids are percent-decoded from the URI, and one that does not decode is refused as bad input", async () => {
  const user = await memberOf(bed.personas.domainA.id, "encoded");
  expect(matchResource(MCP_RESOURCES, `gatehouse://clients/${encodeURIComponent("https://app.example/client.json")}`)).toMatchObject({
    id: "https://app.example/client.json",
  });
  await session(bed.personas.owner.userId, async ({ client, calls }) => {
    const encoded = `gatehouse://users/${encodeURIComponent(user.userId)}`;
    expect(documentOf(await client.readResource({ uri: encoded }), encoded)).toMatchObject({ id: user.userId });
    const broken = await mcpRefusal(client.readResource({ uri: "gatehouse://users/%E0%A4%A" }));
    expect(broken).toEqual({ code: ErrorCode.InvalidParams, message: "The user id in gatehouse://users/%E0%A4%A is not valid percent-encoding." });
    expect(calls.at(-1)).toEqual({ kind: "resource", name: "gatehouse://users/%E0%A4%A", outcome: "BAD_REQUEST" });
  });
});

// ---------------------------------------------------------------------------------------------
// Completion

async function complete(mcp: McpSession, uriTemplate: string, name: string, value: string) {
  const { completion } = await mcp.client.complete({ ref: { type: "ref/resource", uri: uriTemplate }, argument: { name, value } });
  return completion.values;
}

test("userId completes to the ids of users whose email or name matches, among those the caller can read", async () => {
  const prefix = `completion-${randomUUID().slice(0, 6)}`;
  const inA = await memberOf(bed.personas.domainA.id, prefix);
  const inB = await memberOf(bed.personas.domainB.id, prefix);
  expect(await session(bed.personas.owner.userId, (mcp) => complete(mcp, RESOURCE_TEMPLATES[0]!, "userId", prefix))).toEqual(
    expect.arrayContaining([inA.userId, inB.userId]),
  );
  expect(await session(bed.personas.domainAdminA.userId, (mcp) => complete(mcp, RESOURCE_TEMPLATES[0]!, "userId", prefix))).toEqual([inA.userId]);
});

test("a completion offers at most 20 values", async () => {
  const prefix = `many-${randomUUID().slice(0, 6)}`;
  // Rows written directly: signing up this many people would spend seconds hashing passwords.
  await bed.database.db.insert(userTable).values(
    Array.from({ length: MAX_COMPLETIONS + 3 }, (_, index) => ({ id: randomUUID(), name: `Many ${index}`, email: `${prefix}-${index}@example.com` })),
  );
  const values = await session(bed.personas.owner.userId, (mcp) => complete(mcp, RESOURCE_TEMPLATES[0]!, "userId", prefix));
  expect(values).toHaveLength(MAX_COMPLETIONS);
});

test("roleId, domainId, clientId and eventId complete by name, slug, client name and id prefix, limited to the caller's scope", async () => {
  const clientA = await seedClient(bed.personas.domainA.id, unique("Completed app"));
  const clientB = await seedClient(bed.personas.domainB.id, unique("Completed app"));
  const eventA = await seedEvent(bed.personas.domainA.id);
  const eventB = await seedEvent(bed.personas.domainB.id);

  await session(bed.personas.owner.userId, async (mcp) => {
    expect(await complete(mcp, "gatehouse://roles/{roleId}", "roleId", "audit")).toEqual([AUDITOR_ROLE_ID]);
    expect(await complete(mcp, "gatehouse://domains/{domainId}", "domainId", bed.personas.domainB.slug)).toEqual([bed.personas.domainB.id]);
    expect(await complete(mcp, "gatehouse://clients/{clientId}", "clientId", clientB.name)).toEqual([clientB.clientId]);
    expect(await complete(mcp, "gatehouse://audit/{eventId}", "eventId", eventB.slice(0, 8))).toEqual([eventB]);
  });
  await session(bed.personas.domainAdminA.userId, async (mcp) => {
    expect(await complete(mcp, "gatehouse://domains/{domainId}", "domainId", "Domain")).toEqual([bed.personas.domainA.id]);
    expect(await complete(mcp, "gatehouse://clients/{clientId}", "clientId", clientA.name)).toEqual([clientA.clientId]);
    expect(await complete(mcp, "gatehouse://clients/{clientId}", "clientId", clientB.name)).toEqual([]);
    expect(await complete(mcp, "gatehouse://audit/{eventId}", "eventId", eventA.slice(0, 8))).toEqual([eventA]);
    expect(await complete(mcp, "gatehouse://audit/{eventId}", "eventId", eventB.slice(0, 8))).toEqual([]);
  });
});

test("a completion the search refuses (text too long) completes nothing rather than failing", async () => {
  expect(await session(bed.personas.owner.userId, (mcp) => complete(mcp, RESOURCE_TEMPLATES[0]!, "userId", "x".repeat(150)))).toEqual([]);
});

test("a template the caller cannot read cannot be completed either", async () => {
  await session(bed.personas.member.userId, async (mcp) => {
    const refusal = await mcpRefusal(complete(mcp, RESOURCE_TEMPLATES[0]!, "userId", ""));
    expect(refusal.code).toBe(ErrorCode.MethodNotFound);
  });
});
