import { randomUUID } from "node:crypto";
import { McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { z } from "zod";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import {
  AUDITOR_ROLE_ID,
  DOMAIN_ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  domain,
  oauthClient,
  oauthConsent,
  oauthRefreshToken,
  role,
  rolePermission,
  session,
  user,
  userBan,
} from "@/db/schema";
import type { Permission } from "@/server/shared/permissions";
import { mcpResourceUrl } from "@/server/oauth/config";
import { recordIssuedAccessToken } from "@/server/oauth/issued-tokens";
import { TEST_PUBLIC_URL } from "@/server/testing/auth";
import { auditRows, countAuditRows, createDomain, createMember, createPersonaWith, grantRole, hasRole, personaTestBed } from "@/server/testing/authz";
import { seedClientRow } from "@/server/testing/grants";
import { unique } from "@/server/testing/outcome";
import type { Meta } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { TEST_CLIENT_ID, connectAs } from "./testing";
import { MCP_SCOPES, type McpScope } from "./catalog";
import { defineTool } from "./tool";
import { MCP_TOOLS } from "./tools";

const bed = personaTestBed();

const deps = () => bed.deps();

// The tiers as the brief and DESIGN §4 define them, written out so that moving a tool to another
// scope is a deliberate change to this list too.
const TIERS: Record<McpScope, string[]> = {
  "mcp:read": [
    "whoami",
    "list_users",
    "get_user",
    "list_roles",
    "list_domains",
    "list_clients",
    "list_sessions_and_grants",
    "search_audit_log",
  ],
  "mcp:write": ["create_domain", "update_user_profile", "create_client"],
  "mcp:admin": ["assign_role", "unassign_role", "revoke_grant", "revoke_all_for_user", "disable_client", "ban_user"],
};
const READ_TOOLS = TIERS["mcp:read"];
const DESTRUCTIVE = ["unassign_role", "revoke_grant", "revoke_all_for_user", "disable_client", "ban_user"];

/** The procedures each tool calls; their declared permissions are what tools/list must demand. */
const PROCEDURES: Record<string, string[]> = {
  whoami: ["me.get", "me.domains", "me.permissions"],
  list_users: ["users.list"],
  get_user: ["users.get"],
  list_roles: ["roles.list"],
  list_domains: ["domains.list"],
  list_clients: ["clients.list"],
  list_sessions_and_grants: ["grants.list", "sessions.list"],
  search_audit_log: ["audit.list"],
  create_domain: ["domains.create"],
  update_user_profile: ["users.update"],
  create_client: ["clients.create"],
  assign_role: ["roles.assign"],
  unassign_role: ["roles.unassign"],
  revoke_grant: ["grants.revoke"],
  revoke_all_for_user: ["sessions.revokeAllForUser"],
  disable_client: ["clients.disable"],
  ban_user: ["users.ban"],
};

const MCP_RESOURCE = mcpResourceUrl(TEST_PUBLIC_URL);

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === "text" ? first.text : "";
}

/** The structured result of a call that must succeed; the SDK client has already checked it against the outputSchema. */
function succeeded<T>(result: CallToolResult): T {
  expect(result.isError, textOf(result)).toBeFalsy();
  expect(result.structuredContent).toBeDefined();
  expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
  return result.structuredContent as T;
}

/** The error text of a call that must be refused. */
function refused(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  return textOf(result);
}

async function callAs(
  userId: string,
  name: string,
  args: Record<string, unknown> = {},
  options: Parameters<typeof connectAs>[2] = {},
): Promise<CallToolResult> {
  const mcp = await connectAs(deps(), userId, options);
  try {
    return await mcp.call(name, args);
  } finally {
    await mcp.close();
  }
}

async function offeredTo(userId: string, scopes: readonly string[] = MCP_SCOPES): Promise<string[]> {
  const mcp = await connectAs(deps(), userId, { scopes });
  await mcp.close();
  return mcp.tools.map((tool) => tool.name);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const memberOf = (domainId: string, prefix?: string) => createMember(deps(), domainId, prefix);

const seedClient = (domainId: string | null, name = unique("Client")) => seedClientRow(bed.database.db, domainId, { name });

/** What a finished authorization-code flow leaves: a remembered consent, a refresh token and a live access token. */
async function seedGrant(userId: string, clientId: string) {
  const now = new Date();
  await bed.database.db
    .insert(oauthConsent)
    .values({ id: randomUUID(), clientId, userId, scopes: ["openid", "offline_access"], createdAt: now, updatedAt: now });
  await bed.database.db.insert(oauthRefreshToken).values({
    id: randomUUID(),
    token: `hashed-${randomUUID()}`,
    clientId,
    userId,
    expiresAt: new Date(now.getTime() + 24 * 60 * 60 * 1000),
    createdAt: now,
    scopes: ["openid", "offline_access"],
  });
  const iat = Math.floor(now.getTime() / 1000);
  await recordIssuedAccessToken(bed.database.db, {
    claims: { jti: randomUUID(), client_id: clientId, sub: userId, scope: "openid mcp:read", aud: MCP_RESOURCE, iat, exp: iat + 900 },
    userId,
    grantType: "authorization_code",
    authorizationCodeId: null,
  });
}

async function consentsOf(userId: string) {
  return bed.database.db.select().from(oauthConsent).where(eq(oauthConsent.userId, userId));
}

async function sessionsOf(userId: string) {
  return bed.database.db.select().from(session).where(eq(session.userId, userId));
}

async function nameOf(userId: string) {
  const [row] = await bed.database.db.select({ name: user.name }).from(user).where(eq(user.id, userId));
  return row?.name;
}

async function clientRow(clientId: string) {
  const [row] = await bed.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, clientId));
  return row;
}

/** A persona holding a custom role with exactly `permissions` in `domainId` (global when null). */
const personaWith = (permissions: Permission[], domainId: string | null) => createPersonaWith(deps(), [{ permissions, domainId }]);

/** The router's own audit row for a change made through MCP: it names the token's client and says how the call came. */
async function expectAuditedViaMcp(action: string, targetId: string, actorUserId: string) {
  const rows = (await auditRows(bed.database.db, { action })).filter((row) => row.targetId === targetId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ actorVia: "mcp", clientId: TEST_CLIENT_ID, actorUserId });
  return rows[0]!;
}

// ---------------------------------------------------------------------------------------------
// What tools/list offers

test("a member with every scope is offered only whoami, since the member role grants no permission", async () => {
  expect(await offeredTo(bed.personas.member.userId)).toEqual(["whoami"]);
});

test("an auditor with every scope is offered exactly the read tools", async () => {
  expect(await offeredTo(bed.personas.auditor.userId)).toEqual(READ_TOOLS);
});

test("an owner whose token carries only mcp:read is offered only the read tools", async () => {
  expect(await offeredTo(bed.personas.owner.userId, ["mcp:read"])).toEqual(READ_TOOLS);
});

test("an owner with every scope is offered every tool, reads then writes then admin", async () => {
  expect(await offeredTo(bed.personas.owner.userId)).toEqual([...TIERS["mcp:read"], ...TIERS["mcp:write"], ...TIERS["mcp:admin"]]);
});

test("a domain-admin is offered everything but create_domain, whose domains:write their role lacks", async () => {
  const all = MCP_TOOLS.map((tool) => tool.name);
  expect(await offeredTo(bed.personas.domainAdminA.userId)).toEqual(all.filter((name) => name !== "create_domain"));
});

test("each tool sits in the scope tier the design gives it", () => {
  for (const tool of MCP_TOOLS) {
    expect(TIERS[tool.scope], tool.name).toContain(tool.name);
  }
  expect(MCP_TOOLS.map((tool) => tool.name).sort()).toEqual(Object.values(TIERS).flat().sort());
});

test("each tool demands exactly the permissions its procedures declare", () => {
  const procedures = (appRouter as unknown as { _def: { procedures: Record<string, { _def: { meta?: Meta } }> } })._def
    .procedures;
  for (const tool of MCP_TOOLS) {
    const paths = PROCEDURES[tool.name];
    expect(paths, `${tool.name} has no entry in PROCEDURES`).toBeDefined();
    const declared = new Set<string>();
    for (const path of paths!) {
      const access = procedures[path]?._def.meta?.access;
      expect(access, `${path} does not exist or declares no access`).toBeDefined();
      if (access?.kind === "permissions") for (const permission of access.permissions) declared.add(permission);
    }
    expect([...tool.permissions].sort(), tool.name).toEqual([...declared].sort());
  }
});

/** Paths of properties without a description, at any depth of a JSON schema. */
function undescribed(schema: Record<string, unknown>, path: string): string[] {
  const found: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, property] of Object.entries(properties)) {
    if (typeof property.description !== "string" || property.description.length < 10) found.push(`${path}.${name}`);
    found.push(...undescribed(property, `${path}.${name}`));
  }
  if (schema.items && typeof schema.items === "object") found.push(...undescribed(schema.items as Record<string, unknown>, `${path}[]`));
  for (const branch of (schema.anyOf ?? []) as Record<string, unknown>[]) found.push(...undescribed(branch, path));
  return found;
}

test("every tool has a description, annotations, and a description on every input and output field", async () => {
  const mcp = await connectAs(deps(), bed.personas.owner.userId);
  await mcp.close();
  expect(mcp.tools).toHaveLength(MCP_TOOLS.length);
  for (const tool of mcp.tools) {
    expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(60);
    expect(tool.annotations, tool.name).toMatchObject({
      readOnlyHint: expect.any(Boolean),
      destructiveHint: expect.any(Boolean),
      idempotentHint: expect.any(Boolean),
      openWorldHint: false,
    });
    expect(tool.outputSchema, tool.name).toBeDefined();
    expect(undescribed(tool.inputSchema, `${tool.name}.input`)).toEqual([]);
    expect(undescribed(tool.outputSchema!, `${tool.name}.output`)).toEqual([]);
  }
});

test("reads are marked read-only and the tools that take access away are marked destructive", async () => {
  const mcp = await connectAs(deps(), bed.personas.owner.userId);
  await mcp.close();
  for (const tool of mcp.tools) {
    expect(tool.annotations?.readOnlyHint, tool.name).toBe(READ_TOOLS.includes(tool.name));
    expect(tool.annotations?.destructiveHint, tool.name).toBe(DESTRUCTIVE.includes(tool.name));
  }
});

test("a tool whose result strays from its outputSchema fails at the client, so the happy paths below check their schemas", async () => {
  const stray = defineTool(
    { name: "stray", title: "Stray", description: "Returns a field its schema does not declare.", scope: "mcp:read", permissions: [] },
    {
      annotations: { readOnlyHint: true },
      inputSchema: {},
      outputSchema: { id: z.string().describe("An id.") },
      run: async () => ({ id: "x", secret: "not in the schema" }) as { id: string },
    },
  );
  const mcp = await connectAs(deps(), bed.personas.owner.userId, { tools: [stray] });
  try {
    await expect(mcp.call("stray")).rejects.toBeInstanceOf(McpError);
  } finally {
    await mcp.close();
  }
});

test("every tool, called by the owner with a valid input, returns structuredContent that its listed outputSchema accepts", async () => {
  const member = await memberOf(bed.personas.domainA.id, "walk");
  const victim = await memberOf(bed.personas.domainA.id, "walk-victim");
  const holder = await memberOf(bed.personas.domainA.id, "walk-holder");
  const client = await seedClient(bed.personas.domainA.id);
  await seedGrant(victim.userId, client.clientId);
  const inputs: Record<string, Record<string, unknown>> = {
    whoami: {},
    list_users: {},
    get_user: { id: member.userId },
    list_roles: {},
    list_domains: {},
    list_clients: {},
    list_sessions_and_grants: {},
    search_audit_log: {},
    create_domain: { name: "Walked", slug: unique("walked") },
    update_user_profile: { id: member.userId, name: "Walked member" },
    create_client: {
      name: "Walked client",
      type: "confidential",
      redirectUris: ["https://walk.example/callback"],
      scopes: ["mcp:read"],
      domainId: bed.personas.domainA.id,
    },
    assign_role: { userId: member.userId, roleId: AUDITOR_ROLE_ID, domainId: bed.personas.domainA.id },
    unassign_role: { userId: holder.userId, roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainA.id },
    revoke_grant: { userId: victim.userId, clientId: client.clientId },
    revoke_all_for_user: { userId: victim.userId },
    disable_client: { clientId: client.clientId },
    ban_user: { id: victim.userId, reason: "walked" },
  };
  expect(Object.keys(inputs).sort()).toEqual(MCP_TOOLS.map((tool) => tool.name).sort());

  // Validated here with a validator of our own, against the JSON Schema a client sees in tools/list.
  const validator = new AjvJsonSchemaValidator();
  const mcp = await connectAs(deps(), bed.personas.owner.userId);
  try {
    expect(mcp.tools.map((tool) => tool.name)).toEqual(MCP_TOOLS.map((tool) => tool.name));
    for (const tool of mcp.tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: "object" });
      const output = succeeded(await mcp.call(tool.name, inputs[tool.name]));
      const verdict = validator.getValidator(tool.outputSchema!)(output);
      expect(verdict.errorMessage, tool.name).toBeUndefined();
      expect(verdict.valid, tool.name).toBe(true);
    }
  } finally {
    await mcp.close();
  }
  expect(mcp.calls.map((call) => `${call.name} ${call.outcome}`)).toEqual(MCP_TOOLS.map((tool) => `${tool.name} ok`));
});

test("whoami reports the user, the token's client and scopes, and the user's domains", async () => {
  const me = succeeded(await callAs(bed.personas.domainAdminA.userId, "whoami", {}, { scopes: ["mcp:read"] }));
  expect(me).toMatchObject({
    user: { id: bed.personas.domainAdminA.userId, email: bed.personas.domainAdminA.email, isOwner: false },
    clientId: TEST_CLIENT_ID,
    scopes: ["mcp:read"],
    domains: [{ id: bed.personas.domainA.id, name: "Domain A", slug: bed.personas.domainA.slug }],
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals come from the procedures, not only from the list filter

/** Valid arguments for every tool, so that what refuses a call is the permission check alone. */
function sampleArguments(): Record<string, Record<string, unknown>> {
  const someone = bed.personas.owner.userId;
  return {
    list_users: {},
    get_user: { id: someone },
    list_roles: {},
    list_domains: {},
    list_clients: {},
    list_sessions_and_grants: {},
    search_audit_log: {},
    create_domain: { name: "Never", slug: unique("never") },
    update_user_profile: { id: someone, name: "Never Renamed" },
    create_client: { name: "Never", type: "public", redirectUris: ["https://app.example/cb"], scopes: ["openid"] },
    assign_role: { userId: someone, roleId: DOMAIN_ADMIN_ROLE_ID, domainId: bed.personas.domainA.id },
    unassign_role: { userId: someone, roleId: MEMBER_ROLE_ID, domainId: null },
    revoke_grant: { userId: someone, clientId: "some-client" },
    revoke_all_for_user: { userId: someone },
    disable_client: { clientId: "some-client" },
    ban_user: { id: someone },
  };
}

test("with the list filter bypassed, every tool but whoami is refused to a member, naming the missing permission, and changes nothing", async () => {
  const mcp = await connectAs(deps(), bed.personas.member.userId, { listFilter: false });
  const samples = sampleArguments();
  const auditBefore = await countAuditRows(bed.database.db);
  try {
    for (const tool of MCP_TOOLS.filter((candidate) => candidate.name !== "whoami")) {
      const args = samples[tool.name];
      expect(args, `${tool.name} has no sample arguments`).toBeDefined();
      const text = refused(await mcp.call(tool.name, args));
      for (const permission of tool.permissions) expect(text, tool.name).toContain(permission);
    }
  } finally {
    await mcp.close();
  }
  expect(mcp.calls.map((call) => call.outcome)).toEqual(MCP_TOOLS.slice(1).map(() => "FORBIDDEN"));
  expect(await countAuditRows(bed.database.db)).toBe(auditBefore);
  expect(await nameOf(bed.personas.owner.userId)).toBe("Owner");
});

// ---------------------------------------------------------------------------------------------
// Read tools

test("list_users pages through the users of a domain with their roles there", async () => {
  const prefix = unique("roster");
  const first = await memberOf(bed.personas.domainA.id, `${prefix}-a`);
  const second = await memberOf(bed.personas.domainA.id, `${prefix}-b`);
  type Page = { users: { id: string; email: string; roles: unknown[]; banned: boolean; createdAt: string }[]; nextCursor: string | null };

  const page1 = succeeded<Page>(
    await callAs(bed.personas.domainAdminA.userId, "list_users", { domainId: bed.personas.domainA.id, search: prefix, limit: 1 }),
  );
  expect(page1.users.map((row) => row.id)).toEqual([first.userId]);
  expect(page1.users[0]).toMatchObject({ email: first.email, banned: false, createdAt: expect.stringMatching(ISO) });
  // A domain-admin sees the roles held in their domain only, not the global member role.
  expect(page1.users[0]!.roles).toEqual([
    { roleId: MEMBER_ROLE_ID, roleName: "member", domainId: bed.personas.domainA.id, domainName: "Domain A" },
  ]);
  expect(page1.nextCursor).toEqual(expect.any(String));

  const page2 = succeeded<Page>(
    await callAs(bed.personas.domainAdminA.userId, "list_users", { search: prefix, limit: 1, cursor: page1.nextCursor }),
  );
  expect(page2.users.map((row) => row.id)).toEqual([second.userId]);
  expect(page2.nextCursor).toBeNull();
});

test("list_users refuses a domain-admin a domain outside their own as not found", async () => {
  await memberOf(bed.personas.domainB.id);
  const text = refused(await callAs(bed.personas.domainAdminA.userId, "list_users", { domainId: bed.personas.domainB.id }));
  expect(text).toBe("Domain not found.");
});

test("get_user shows one user's roles, sessions, ban and invitation state", async () => {
  const target = await memberOf(bed.personas.domainA.id, "detail");
  const detail = succeeded<Record<string, unknown>>(await callAs(bed.personas.owner.userId, "get_user", { id: target.userId }));
  expect(detail).toMatchObject({
    id: target.userId,
    email: target.email,
    name: "Test User",
    activeSessions: 1,
    mfa: { enrolled: false, methods: [] },
    banned: null,
    hasPassword: true,
    invitationPending: false,
    invitationExpiresAt: null,
    createdAt: expect.stringMatching(ISO),
  });
  expect(detail.roles).toEqual([
    expect.objectContaining({ roleId: MEMBER_ROLE_ID, domainId: null, domainName: null, assignmentId: expect.any(String) }),
    expect.objectContaining({ roleId: MEMBER_ROLE_ID, domainId: bed.personas.domainA.id, domainName: "Domain A" }),
  ]);
});

test("get_user says not found for a user outside the domain-admin's domain", async () => {
  const outsider = await memberOf(bed.personas.domainB.id, "outsider");
  expect(refused(await callAs(bed.personas.domainAdminA.userId, "get_user", { id: outsider.userId }))).toBe("User not found.");
});

test("list_roles finds a role by name with its permissions and assignments in the caller's scope", async () => {
  const holder = await memberOf(bed.personas.domainB.id);
  const roleId = `role_${randomUUID()}`;
  const name = unique("Reviewers");
  await bed.database.db.insert(role).values({ id: roleId, name, description: "Reads the log" });
  await bed.database.db.insert(rolePermission).values([{ roleId, permission: "audit:read" }, { roleId, permission: "users:read" }]);
  await grantRole(bed.database.db, holder.userId, roleId, bed.personas.domainB.id);
  type Roles = { roles: { id: string; assignmentCount: number }[] };

  const seenByOwner = succeeded<Roles>(await callAs(bed.personas.owner.userId, "list_roles", { search: name }));
  expect(seenByOwner.roles).toEqual([
    { id: roleId, name, description: "Reads the log", builtIn: false, permissions: ["users:read", "audit:read"], assignmentCount: 1 },
  ]);
  // The assignment lives in domain B, which a domain-admin of A cannot read roles in.
  const seenByDomainAdmin = succeeded<Roles>(await callAs(bed.personas.domainAdminA.userId, "list_roles", { search: name }));
  expect(seenByDomainAdmin.roles.map((row) => [row.id, row.assignmentCount])).toEqual([[roleId, 0]]);
});

test("list_roles is refused by its procedure to someone without roles:read", async () => {
  const text = refused(await callAs(bed.personas.member.userId, "list_roles", {}, { listFilter: false }));
  expect(text).toBe("You need the roles:read permission.");
});

test("list_domains pages through domains ordered by slug", async () => {
  const prefix = unique("pager");
  const first = await createDomain(bed.database.db, { slug: `${prefix}-a`, emailDomains: [`${prefix}.example`] });
  const second = await createDomain(bed.database.db, { slug: `${prefix}-b` });
  await memberOf(first.id);
  type Page = { domains: { id: string }[]; nextCursor: string | null };

  const page1 = succeeded<Page>(await callAs(bed.personas.owner.userId, "list_domains", { search: prefix, limit: 1 }));
  expect(page1.domains).toEqual([
    {
      id: first.id,
      name: first.name,
      slug: first.slug,
      description: "",
      mfaPolicy: "optional",
      emailDomains: [`${prefix}.example`],
      memberCount: 1,
      createdAt: expect.stringMatching(ISO),
    },
  ]);
  const page2 = succeeded<Page>(await callAs(bed.personas.owner.userId, "list_domains", { search: prefix, cursor: page1.nextCursor }));
  expect(page2.domains.map((row) => row.id)).toEqual([second.id]);
  expect(page2.nextCursor).toBeNull();
});

test("list_domains hides other tenants from a domain-admin and is refused to someone without domains:read", async () => {
  type Page = { domains: { id: string }[] };
  const own = succeeded<Page>(await callAs(bed.personas.domainAdminA.userId, "list_domains", { search: bed.personas.domainA.slug }));
  expect(own.domains.map((row) => row.id)).toEqual([bed.personas.domainA.id]);
  const other = succeeded<Page>(await callAs(bed.personas.domainAdminA.userId, "list_domains", { search: bed.personas.domainB.slug }));
  expect(other.domains).toEqual([]);

  const text = refused(await callAs(bed.personas.member.userId, "list_domains", {}, { listFilter: false }));
  expect(text).toBe("You need the domains:read permission.");
});

test("list_clients lists a domain's clients with their settings", async () => {
  const client = await seedClient(bed.personas.domainA.id);
  type Page = { clients: unknown[]; nextCursor: string | null };
  const page = succeeded<Page>(
    await callAs(bed.personas.domainAdminA.userId, "list_clients", { domainId: bed.personas.domainA.id, search: client.name }),
  );
  expect(page).toEqual({
    clients: [
      {
        clientId: client.clientId,
        name: client.name,
        type: "confidential",
        redirectUris: ["https://app.example/callback"],
        scopes: ["openid", "offline_access", "mcp:read"],
        domainId: bed.personas.domainA.id,
        domainName: "Domain A",
        origin: "console",
        disabled: false,
        skipConsent: false,
        createdAt: expect.stringMatching(ISO),
      },
    ],
    nextCursor: null,
  });
});

test("list_clients hides another tenant's clients from a domain-admin and is refused to someone without clients:read", async () => {
  const client = await seedClient(bed.personas.domainB.id);
  type Page = { clients: unknown[] };
  const seen = succeeded<Page>(await callAs(bed.personas.domainAdminA.userId, "list_clients", { search: client.name }));
  expect(seen.clients).toEqual([]);

  const text = refused(await callAs(bed.personas.member.userId, "list_clients", {}, { listFilter: false }));
  expect(text).toBe("You need the clients:read permission.");
});

type GrantsAndSessions = {
  grants?: { clientId: string; userId: string }[];
  grantsNextCursor?: string | null;
  sessions?: { id: string; userId: string }[];
  sessionsNextCursor?: string | null;
};

test("list_sessions_and_grants shows a user's grants and browser sessions, and continues one list at a time", async () => {
  const holder = await memberOf(bed.personas.domainA.id, "holder");
  const older = await seedClient(bed.personas.domainA.id);
  const newer = await seedClient(bed.personas.domainA.id);
  await seedGrant(holder.userId, older.clientId);
  await seedGrant(holder.userId, newer.clientId);

  const first = succeeded<GrantsAndSessions>(
    await callAs(bed.personas.owner.userId, "list_sessions_and_grants", { userId: holder.userId, limit: 1 }),
  );
  expect(first.grants).toHaveLength(1);
  expect(first.grants![0]).toMatchObject({
    userId: holder.userId,
    userEmail: holder.email,
    domainId: bed.personas.domainA.id,
    scopes: ["openid", "offline_access"],
    consented: true,
    refreshTokens: 1,
    liveAccessTokens: 1,
    createdAt: expect.stringMatching(ISO),
    lastUsedAt: expect.stringMatching(ISO),
  });
  expect(first.grantsNextCursor).toEqual(expect.any(String));
  expect(first.sessions).toEqual([
    expect.objectContaining({ userId: holder.userId, userEmail: holder.email, expiresAt: expect.stringMatching(ISO) }),
  ]);
  expect(first.sessionsNextCursor).toBeNull();

  const rest = succeeded<GrantsAndSessions>(
    await callAs(bed.personas.owner.userId, "list_sessions_and_grants", {
      userId: holder.userId,
      limit: 1,
      grantsCursor: first.grantsNextCursor,
    }),
  );
  const clientIds = [first.grants![0]!.clientId, rest.grants![0]!.clientId].sort();
  expect(clientIds).toEqual([older.clientId, newer.clientId].sort());
  expect(rest.grantsNextCursor).toBeNull();
  expect(rest).not.toHaveProperty("sessions");

  // Browser sessions belong to no client, so a client filter leaves them out.
  const forClient = succeeded<GrantsAndSessions>(
    await callAs(bed.personas.owner.userId, "list_sessions_and_grants", { userId: holder.userId, clientId: older.clientId }),
  );
  expect(forClient.grants!.map((grant) => grant.clientId)).toEqual([older.clientId]);
  expect(forClient).not.toHaveProperty("sessions");
});

test("list_sessions_and_grants hides another tenant's user from a domain-admin and is refused to someone without tokens:read", async () => {
  const outsider = await memberOf(bed.personas.domainB.id, "outsider");
  const client = await seedClient(bed.personas.domainB.id);
  await seedGrant(outsider.userId, client.clientId);
  const seen = succeeded<GrantsAndSessions>(
    await callAs(bed.personas.domainAdminA.userId, "list_sessions_and_grants", { userId: outsider.userId }),
  );
  expect(seen).toEqual({ grants: [], grantsNextCursor: null, sessions: [], sessionsNextCursor: null });

  const text = refused(await callAs(bed.personas.member.userId, "list_sessions_and_grants", {}, { listFilter: false }));
  expect(text).toBe("You need the tokens:read permission.");
});

test("search_audit_log finds events by action and target, and filters by an ISO time range", async () => {
  const created = await bed.personas.owner.caller.domains.create({ name: "Audited", slug: unique("audited") });
  type Events = { events: Record<string, unknown>[]; nextCursor: string | null };

  const found = succeeded<Events>(
    await callAs(bed.personas.auditor.userId, "search_audit_log", { action: "domain.", targetId: created.id }),
  );
  expect(found).toEqual({
    events: [
      {
        id: expect.any(String),
        at: expect.stringMatching(ISO),
        action: "domain.created",
        actorUserId: bed.personas.owner.userId,
        actorEmail: bed.personas.owner.email,
        actorVia: "web",
        clientId: null,
        clientName: null,
        result: "success",
        targetType: "domain",
        targetId: created.id,
        domainId: created.id,
        domainName: "Audited",
        ip: null,
        userAgent: null,
        details: { name: "Audited", slug: created.slug, emailDomains: [], mfaPolicy: "optional" },
      },
    ],
    nextCursor: null,
  });

  const at = found.events[0]!.at as string;
  const inRange = succeeded<Events>(
    await callAs(bed.personas.auditor.userId, "search_audit_log", { targetId: created.id, from: at, to: at }),
  );
  expect(inRange.events).toHaveLength(1);
  const later = new Date(Date.parse(at) + 1).toISOString();
  const afterIt = succeeded<Events>(await callAs(bed.personas.auditor.userId, "search_audit_log", { targetId: created.id, from: later }));
  expect(afterIt.events).toEqual([]);

  const backwards = refused(await callAs(bed.personas.auditor.userId, "search_audit_log", { from: later, to: at }));
  expect(backwards).toContain("The start of the time range (from) must not be after its end (to).");
});

test("search_audit_log says not found for a domain outside the domain-admin's own", async () => {
  const text = refused(await callAs(bed.personas.domainAdminA.userId, "search_audit_log", { domainId: bed.personas.domainB.id }));
  expect(text).toBe("Domain not found.");
});

// ---------------------------------------------------------------------------------------------
// Write tools

test("create_domain creates the domain with its email domains, audited as an MCP call", async () => {
  const slug = unique("created");
  const emailDomain = `${unique("mail")}.example`;
  const created = succeeded<{ id: string }>(
    await callAs(bed.personas.owner.userId, "create_domain", { name: "Created", slug, emailDomains: [emailDomain], mfaPolicy: "required" }),
  );
  expect(created).toEqual({
    id: expect.any(String),
    name: "Created",
    slug,
    description: "",
    mfaPolicy: "required",
    emailDomains: [emailDomain],
    memberCount: 0,
    createdAt: expect.stringMatching(ISO),
  });
  const [row] = await bed.database.db.select().from(domain).where(eq(domain.id, created.id));
  expect(row).toMatchObject({ slug, mfaPolicy: "required" });
  await expectAuditedViaMcp("domain.created", created.id, bed.personas.owner.userId);
});

test("create_domain refuses an MFA policy to someone without domains:admin and creates nothing", async () => {
  const editor = await personaWith(["domains:read", "domains:write"], null);
  const slug = unique("refused");
  const text = refused(await callAs(editor.userId, "create_domain", { name: "Refused", slug, mfaPolicy: "required" }));
  expect(text).toBe("You need the domains:admin permission globally.");
  expect(await bed.database.db.select().from(domain).where(eq(domain.slug, slug))).toEqual([]);
});

test("update_user_profile renames a user in the domain-admin's domain, audited as an MCP call", async () => {
  const target = await memberOf(bed.personas.domainA.id, "rename");
  const updated = succeeded(
    await callAs(bed.personas.domainAdminA.userId, "update_user_profile", { id: target.userId, name: "Renamed Through MCP" }),
  );
  expect(updated).toEqual({ id: target.userId, email: target.email, name: "Renamed Through MCP" });
  expect(await nameOf(target.userId)).toBe("Renamed Through MCP");
  const event = await expectAuditedViaMcp("user.updated", target.userId, bed.personas.domainAdminA.userId);
  expect(event.details).toEqual({ before: { name: "Test User" }, after: { name: "Renamed Through MCP" } });
});

test("update_user_profile says not found for a user in another tenant and leaves the name alone", async () => {
  const outsider = await memberOf(bed.personas.domainB.id, "outsider");
  const text = refused(await callAs(bed.personas.domainAdminA.userId, "update_user_profile", { id: outsider.userId, name: "Hijacked" }));
  expect(text).toBe("User not found.");
  expect(await nameOf(outsider.userId)).toBe("Test User");
});

test("create_client registers a confidential client and returns its secret once, never in the audit log", async () => {
  const name = unique("Registered");
  const created = succeeded<{ client: { clientId: string }; clientSecret: string | null }>(
    await callAs(bed.personas.domainAdminA.userId, "create_client", {
      name,
      type: "confidential",
      redirectUris: ["https://app.example/callback"],
      scopes: ["openid", "mcp:read"],
      domainId: bed.personas.domainA.id,
    }),
  );
  expect(created.client).toMatchObject({ name, type: "confidential", domainId: bed.personas.domainA.id, origin: "console", disabled: false });
  expect(created.clientSecret).toMatch(/^[A-Za-z0-9]{48}$/);
  const row = await clientRow(created.client.clientId);
  expect(row?.name).toBe(name);
  expect(row?.clientSecret).not.toBe(created.clientSecret);
  const event = await expectAuditedViaMcp("client.created", created.client.clientId, bed.personas.domainAdminA.userId);
  expect(JSON.stringify(event.details)).not.toContain(created.clientSecret);

  const publicClient = succeeded<{ clientSecret: string | null }>(
    await callAs(bed.personas.domainAdminA.userId, "create_client", {
      name: unique("Public"),
      type: "public",
      redirectUris: ["http://127.0.0.1/callback"],
      scopes: ["mcp:read"],
      domainId: bed.personas.domainA.id,
    }),
  );
  expect(publicClient.clientSecret).toBeNull();
});

test("create_client cannot make a trusted client: the tool does not offer skipConsent, and one sent anyway is not applied", async () => {
  const mcp = await connectAs(deps(), bed.personas.owner.userId);
  try {
    const tool = mcp.tools.find((candidate) => candidate.name === "create_client");
    expect(Object.keys(tool?.inputSchema.properties ?? {})).not.toContain("skipConsent");
    const created = succeeded<{ client: { clientId: string } }>(
      await mcp.call("create_client", {
        name: unique("Sneaky"),
        type: "public",
        redirectUris: ["https://app.example/callback"],
        scopes: ["mcp:admin"],
        skipConsent: true,
      }),
    );
    expect((await clientRow(created.client.clientId))?.skipConsent).toBe(false);
  } finally {
    await mcp.close();
  }
});

test("create_client says not found for a domain outside the domain-admin's own and registers nothing", async () => {
  const name = unique("Refused");
  const text = refused(
    await callAs(bed.personas.domainAdminA.userId, "create_client", {
      name,
      type: "public",
      redirectUris: ["https://app.example/callback"],
      scopes: ["openid"],
      domainId: bed.personas.domainB.id,
    }),
  );
  expect(text).toBe("Domain not found.");
  expect(await bed.database.db.select().from(oauthClient).where(eq(oauthClient.name, name))).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Admin tools

// assign_role answers the new assignment with when it was made; unassign_role answers the one it removed.
test.each([
  {
    tool: "assign_role",
    does: "gives a member of the domain-admin's domain a role there",
    prefix: "promoted",
    roleId: DOMAIN_ADMIN_ROLE_ID,
    held: true,
    action: "role.assigned",
    answered: { createdAt: expect.stringMatching(ISO) },
  },
  {
    tool: "unassign_role",
    does: "takes a role away in the domain-admin's domain",
    prefix: "demoted",
    roleId: MEMBER_ROLE_ID,
    held: false,
    action: "role.unassigned",
    answered: {},
  },
] as const)("$tool $does, audited as an MCP call", async ({ tool, prefix, roleId, held, action, answered }) => {
  const target = await memberOf(bed.personas.domainA.id, prefix);
  const answer = succeeded(await callAs(bed.personas.domainAdminA.userId, tool, { userId: target.userId, roleId, domainId: bed.personas.domainA.id }));
  expect(answer).toEqual({ assignmentId: expect.any(String), userId: target.userId, roleId, domainId: bed.personas.domainA.id, ...answered });
  expect(await hasRole(bed.database.db, target.userId, roleId, bed.personas.domainA.id)).toBe(held);
  await expectAuditedViaMcp(action, target.userId, bed.personas.domainAdminA.userId);
});

// The outsider holds the member role in domain B: assigning another there is refused, and so is taking this one away.
test.each([
  ["assign_role", DOMAIN_ADMIN_ROLE_ID, false],
  ["unassign_role", MEMBER_ROLE_ID, true],
] as const)("%s says not found for a domain outside the domain-admin's own and changes no assignment", async (tool, roleId, held) => {
  const outsider = await memberOf(bed.personas.domainB.id, "outsider");
  const answer = await callAs(bed.personas.domainAdminA.userId, tool, { userId: outsider.userId, roleId, domainId: bed.personas.domainB.id });
  expect(refused(answer)).toBe("Domain not found.");
  expect(await hasRole(bed.database.db, outsider.userId, roleId, bed.personas.domainB.id)).toBe(held);
});

test("revoke_grant ends one grant's consent and tokens, audited as an MCP call", async () => {
  const holder = await memberOf(bed.personas.domainA.id, "granted");
  const client = await seedClient(bed.personas.domainA.id);
  await seedGrant(holder.userId, client.clientId);
  const revoked = succeeded(
    await callAs(bed.personas.domainAdminA.userId, "revoke_grant", { userId: holder.userId, clientId: client.clientId }),
  );
  expect(revoked).toEqual({
    userId: holder.userId,
    clientId: client.clientId,
    accessTokensRevoked: 1,
    refreshTokensRevoked: 1,
    consentsRevoked: 1,
  });
  expect(await consentsOf(holder.userId)).toEqual([]);
  const event = await expectAuditedViaMcp("grant.revoked", holder.userId, bed.personas.domainAdminA.userId);
  expect(event.details).toMatchObject({ clientId: client.clientId });
});

test("revoke_grant says not found for a grant in another tenant and leaves it in place", async () => {
  const holder = await memberOf(bed.personas.domainB.id, "outsider");
  const client = await seedClient(bed.personas.domainB.id);
  await seedGrant(holder.userId, client.clientId);
  const text = refused(await callAs(bed.personas.domainAdminA.userId, "revoke_grant", { userId: holder.userId, clientId: client.clientId }));
  expect(text).toBe("Grant not found.");
  expect(await consentsOf(holder.userId)).toHaveLength(1);
});

test("revoke_all_for_user ends a user's grants and browser sessions, audited as an MCP call", async () => {
  const holder = await memberOf(bed.personas.domainA.id, "compromised");
  const client = await seedClient(bed.personas.domainA.id);
  await seedGrant(holder.userId, client.clientId);
  const revoked = succeeded(await callAs(bed.personas.domainAdminA.userId, "revoke_all_for_user", { userId: holder.userId }));
  expect(revoked).toEqual({
    userId: holder.userId,
    accessTokensRevoked: 1,
    refreshTokensRevoked: 1,
    consentsRevoked: 1,
    sessionsRevoked: 1,
  });
  expect(await sessionsOf(holder.userId)).toEqual([]);
  expect(await consentsOf(holder.userId)).toEqual([]);
  await expectAuditedViaMcp("user.access_revoked", holder.userId, bed.personas.domainAdminA.userId);
});

test("revoke_all_for_user says not found for a user in another tenant and leaves their sessions", async () => {
  const outsider = await memberOf(bed.personas.domainB.id, "outsider");
  const text = refused(await callAs(bed.personas.domainAdminA.userId, "revoke_all_for_user", { userId: outsider.userId }));
  expect(text).toBe("User not found.");
  expect(await sessionsOf(outsider.userId)).toHaveLength(1);
});

test("disable_client disables a client of the domain-admin's domain, audited as an MCP call", async () => {
  const client = await seedClient(bed.personas.domainA.id);
  const disabled = succeeded(await callAs(bed.personas.domainAdminA.userId, "disable_client", { clientId: client.clientId }));
  expect(disabled).toEqual({ clientId: client.clientId, name: client.name, domainId: bed.personas.domainA.id, disabled: true });
  expect((await clientRow(client.clientId))?.disabled).toBe(true);
  await expectAuditedViaMcp("client.disabled", client.clientId, bed.personas.domainAdminA.userId);
});

test("disable_client says not found for another tenant's client and leaves it enabled", async () => {
  const client = await seedClient(bed.personas.domainB.id);
  const text = refused(await callAs(bed.personas.domainAdminA.userId, "disable_client", { clientId: client.clientId }));
  expect(text).toBe("Client not found.");
  expect((await clientRow(client.clientId))?.disabled).toBe(false);
});

test("ban_user suspends a member of the domain-admin's domain and signs them out, audited as an MCP call", async () => {
  const target = await memberOf(bed.personas.domainA.id, "banned");
  const banned = succeeded(
    await callAs(bed.personas.domainAdminA.userId, "ban_user", { id: target.userId, reason: "Phished credentials" }),
  );
  expect(banned).toEqual({ id: target.userId, reason: "Phished credentials", bannedAt: expect.stringMatching(ISO) });
  expect(await bed.database.db.select().from(userBan).where(eq(userBan.userId, target.userId))).toHaveLength(1);
  expect(await sessionsOf(target.userId)).toEqual([]);
  await expectAuditedViaMcp("user.banned", target.userId, bed.personas.domainAdminA.userId);
});

test("ban_user says not found for a user in another tenant and bans no one", async () => {
  const outsider = await memberOf(bed.personas.domainB.id, "outsider");
  const text = refused(await callAs(bed.personas.domainAdminA.userId, "ban_user", { id: outsider.userId }));
  expect(text).toBe("User not found.");
  expect(await bed.database.db.select().from(userBan).where(eq(userBan.userId, outsider.userId))).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Audit

test("a change through MCP is audited by its router, not by the endpoint's recorder, which hears only outcomes", async () => {
  const mcp = await connectAs(deps(), bed.personas.owner.userId);
  const slug = unique("recorded");
  try {
    const created = succeeded<{ id: string }>(await mcp.call("create_domain", { name: "Recorded", slug }));
    refused(await mcp.call("get_user", { id: `missing-${randomUUID()}` }));
    await expectAuditedViaMcp("domain.created", created.id, bed.personas.owner.userId);
  } finally {
    await mcp.close();
  }
  // The recorder here only collects in memory, so the router's row above owes nothing to it.
  expect(mcp.calls).toEqual([
    { kind: "tool", name: "create_domain", outcome: "ok" },
    { kind: "tool", name: "get_user", outcome: "NOT_FOUND" },
  ]);
  expect(await auditRows(bed.database.db, { action: "mcp.tool_called" })).toEqual([]);
});
