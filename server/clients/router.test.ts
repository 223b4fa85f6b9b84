import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { ZodError, type z } from "zod";
import { DOMAIN_ADMIN_ROLE_ID, clientRegistration, issuedAccessToken, oauthClient, oauthConsent, oauthRefreshToken } from "@/db/schema";
import type { Permission } from "@/server/shared/permissions";
import { createClient, setClientDisabled } from "./commands";
import { createClientInput } from "./inputs";
import { mcpResourceUrl, storedSecretHash } from "@/server/oauth/config";
import { OAUTH_SCOPES } from "@/server/shared/scopes";
import { accessTokenStatus } from "@/server/oauth/issued-tokens";
import { TEST_PUBLIC_URL, signUp, uniqueEmail } from "@/server/testing/auth";
import { auditRows, countAuditRows, createDomain, createPersona, createPersonaWith, expectMatrixCoversRouter, type Expected, type Caller, matrixActorId, matrixCaller, matrixCases, matrixDomain, permissionAccess, type PersonaName, personaTestBed } from "@/server/testing/authz";
import { grantTestKit } from "@/server/testing/grants";
import { outcome, rejection, unique } from "@/server/testing/outcome";
import { tokenCallerAs } from "@/server/testing/trpc";
import { clientsRouter } from "./router";

const bed = personaTestBed();

const MCP_RESOURCE = mcpResourceUrl(TEST_PUBLIC_URL);
const { issueAccessToken, issueRefreshToken, consent, refreshRevoked, eventsDuring } = grantTestKit(() => bed);
const REDIRECT = "https://app.example/callback";

type SeedOptions = Partial<z.input<typeof createClientInput>> & { disabled?: boolean };

/** A client written through the persistence layer, so a test of one procedure does not go through another. */
async function seedClient(options: SeedOptions = {}) {
  const { disabled = false, ...overrides } = options;
  const input = createClientInput.parse({
    name: unique("Seeded client"),
    type: "confidential",
    redirectUris: [REDIRECT],
    scopes: ["openid", "mcp:read"],
    domainId: bed.personas.domainA.id,
    ...overrides,
  });
  const created = await createClient(bed.database.db, input, { createdBy: null, mcpResource: MCP_RESOURCE });
  if (disabled) await setClientDisabled(bed.database.db, created.client.clientId, true);
  return created;
}

async function clientRow(clientId: string) {
  const [row] = await bed.database.db.select().from(oauthClient).where(eq(oauthClient.clientId, clientId));
  return row;
}

/** The actions of events written in one transaction, which share a timestamp and so have no order of their own. */
const actionsOf = (events: { action: string }[]) => events.map((event) => event.action).sort();

/** A fresh user holding a custom role with exactly `permissions` in `domainId` (global when null). */
const personaWith = (permissions: Permission[], domainId: string | null) => createPersonaWith(bed.deps(), [{ permissions, domainId }]);

// ---------------------------------------------------------------------------------------------
// Allow/deny matrix

type Procedure = keyof typeof clientsRouter._def.procedures;

const READ: Record<PersonaName, Expected> = {
  owner: "ok",
  admin: "ok",
  domainAdminOnA: "ok",
  domainAdminOnB: "NOT_FOUND",
  auditor: "ok",
  member: "FORBIDDEN",
  anonymous: "UNAUTHORIZED",
};

// A domain-admin holds clients:write, :admin and :delete in its own domain only; an auditor reads everything and changes nothing.
const CHANGE: Record<PersonaName, Expected> = { ...READ, auditor: "FORBIDDEN" };

interface MatrixRow {
  permission: Permission;
  expected: Record<PersonaName, Expected>;
  /** The audit action an allowed call writes; reads write none. */
  action?: string;
  prepare: (domainId: string) => Promise<{ call: (caller: Caller) => Promise<unknown>; clientId?: string }>;
}

/** A row for a procedure on one client of the domain, seeded for the call (disabled when `seed` says so), allowed as a change is. */
function onOneClient(
  permission: Permission,
  action: string | undefined,
  call: (caller: Caller, clientId: string) => Promise<unknown>,
  seed: { disabled?: boolean } = {},
): MatrixRow {
  return {
    permission,
    expected: CHANGE,
    action,
    prepare: async (domainId) => {
      const { client } = await seedClient({ domainId, ...seed });
      return { call: (caller) => call(caller, client.clientId), clientId: client.clientId };
    },
  };
}

const MATRIX: Record<Procedure, MatrixRow> = {
  // A list is scoped, not refused: the domain-admin asking for B's clients gets an empty page.
  list: {
    permission: "clients:read",
    expected: { ...READ, domainAdminOnB: "ok" },
    prepare: async (domainId) => ({ call: (caller) => caller.clients.list({ domainId }) }),
  },
  // Self-registered clients belong to no domain: a domain's admin reads none of them.
  registrationSummary: {
    permission: "clients:read",
    expected: { ...READ, domainAdminOnA: "FORBIDDEN", domainAdminOnB: "FORBIDDEN" },
    prepare: async () => ({ call: (caller) => caller.clients.registrationSummary() }),
  },
  get: { ...onOneClient("clients:read", undefined, (caller, clientId) => caller.clients.get({ clientId })), expected: READ },
  create: {
    permission: "clients:write",
    expected: CHANGE,
    action: "client.created",
    prepare: async (domainId) => ({
      call: (caller) =>
        caller.clients.create({ name: unique("Matrix"), type: "public", redirectUris: [REDIRECT], scopes: ["openid"], domainId }),
    }),
  },
  update: onOneClient("clients:write", "client.updated", (caller, clientId) => caller.clients.update({ clientId, name: unique("Renamed") })),
  rotateSecret: onOneClient("clients:admin", "client.secret_rotated", (caller, clientId) => caller.clients.rotateSecret({ clientId })),
  disable: onOneClient("clients:admin", "client.disabled", (caller, clientId) => caller.clients.disable({ clientId })),
  enable: onOneClient("clients:admin", "client.enabled", (caller, clientId) => caller.clients.enable({ clientId }), { disabled: true }),
  delete: onOneClient("clients:delete", "client.deleted", (caller, clientId) => caller.clients.delete({ clientId })),
  deleteMany: onOneClient("clients:delete", "client.deleted", (caller, clientId) => caller.clients.deleteMany({ clientIds: [clientId] })),
};

const MATRIX_CASES = matrixCases(MATRIX);

test.each(MATRIX_CASES)("clients.%s as %s is %s", async (procedure, persona, expected) => {
  const row = MATRIX[procedure];
  const domainId = matrixDomain(bed.personas, persona);
  const prepared = await row.prepare(domainId);
  const { value, error, events } = await eventsDuring(() => prepared.call(matrixCaller(bed.personas, persona)));

  expect(error === undefined ? "ok" : await outcome(Promise.reject(error))).toBe(expected);
  if (expected === "FORBIDDEN") expect((error as Error).message).toContain(row.permission);
  if (row.action && expected === "ok") {
    const clientId = prepared.clientId ?? (value as { client: { clientId: string } }).client.clientId;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: row.action,
      actorUserId: matrixActorId(bed.personas, persona),
      actorVia: "web",
      targetType: "client",
      targetId: clientId,
      domainId,
    });
  } else {
    expect(events).toEqual([]);
  }
});

test("deleteMany deletes every client of the batch, one audit event each", async () => {
  const clients = [(await seedClient({ domainId: bed.personas.domainA.id })).client, (await seedClient({ domainId: bed.personas.domainA.id })).client];
  const clientIds = clients.map((client) => client.clientId);
  const { value, events } = await eventsDuring(() => bed.personas.domainAdminA.caller.clients.deleteMany({ clientIds }));
  expect(value).toEqual({ deleted: clientIds.map((clientId) => ({ clientId })) });
  for (const clientId of clientIds) expect(await bed.database.db.$count(oauthClient, eq(oauthClient.clientId, clientId))).toBe(0);
  // The batch's events share one timestamp, so their order in the log is not the batch's order.
  const logged = events.map((event) => [event.action, event.targetId]);
  expect(logged).toHaveLength(clientIds.length);
  expect(logged).toEqual(expect.arrayContaining(clientIds.map((clientId) => ["client.deleted", clientId])));
});

test("a batch with one client of another domain is refused whole and deletes nothing", async () => {
  const insider = (await seedClient({ domainId: bed.personas.domainA.id })).client;
  const outsider = (await seedClient({ domainId: bed.personas.domainB.id })).client;
  const eventsBefore = await countAuditRows(bed.database.db);
  const refusal = await rejection(bed.personas.domainAdminA.caller.clients.deleteMany({ clientIds: [insider.clientId, outsider.clientId] }));
  expect(refusal).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining(`Client ${outsider.clientId}:`) });
  expect(refusal.message).toMatch(/Nothing was changed/);
  for (const client of [insider, outsider]) expect(await bed.database.db.$count(oauthClient, eq(oauthClient.clientId, client.clientId))).toBe(1);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("deleteMany refuses no ids, more than 100 or a repeated one as BAD_REQUEST, and an unknown client as NOT_FOUND", async () => {
  for (const clientIds of [[], Array.from({ length: 101 }, (_, index) => `c-${index}`), ["same", "same"]]) {
    expect(await rejection(bed.personas.owner.caller.clients.deleteMany({ clientIds }))).toMatchObject({ code: "BAD_REQUEST" });
  }
  expect(await rejection(bed.personas.owner.caller.clients.deleteMany({ clientIds: [randomUUID()] }))).toMatchObject({ code: "NOT_FOUND" });
});

test("every clients procedure is in the matrix and describes itself", () => {
  expectMatrixCoversRouter(clientsRouter, MATRIX, permissionAccess);
});

// ---------------------------------------------------------------------------------------------
// Domain scoping

test("a domain-admin lists its own domain's clients only, never B's nor installation-wide ones", async () => {
  const stem = unique("scoped");
  const inA = await seedClient({ name: `${stem} A`, domainId: bed.personas.domainA.id });
  await seedClient({ name: `${stem} B`, domainId: bed.personas.domainB.id });
  await seedClient({ name: `${stem} global`, domainId: null });

  const asDomainAdmin = await bed.personas.domainAdminA.caller.clients.list({ search: stem });
  expect(asDomainAdmin.items.map((item) => item.clientId)).toEqual([inA.client.clientId]);
  expect(await bed.personas.domainAdminA.caller.clients.list({ domainId: bed.personas.domainB.id, search: stem })).toMatchObject({
    items: [],
    nextCursor: null,
  });
  const asAuditor = await bed.personas.auditor.caller.clients.list({ search: stem });
  expect(asAuditor.items).toHaveLength(3);
});

test("a client in B and a client that does not exist look the same to a domain-admin of A", async () => {
  const { client } = await seedClient({ domainId: bed.personas.domainB.id });
  const foreign = await rejection(bed.personas.domainAdminA.caller.clients.get({ clientId: client.clientId }));
  const missing = await rejection(bed.personas.domainAdminA.caller.clients.get({ clientId: randomUUID() }));
  expect([foreign.code, foreign.message]).toEqual(["NOT_FOUND", "Client not found."]);
  expect([missing.code, missing.message]).toEqual([foreign.code, foreign.message]);
});

test("a domain-admin can neither create nor change an installation-wide client", async () => {
  const { client } = await seedClient({ domainId: null, name: unique("Installation-wide") });
  const caller = bed.personas.domainAdminA.caller;
  const { error: createError, events: createEvents } = await eventsDuring(() =>
    caller.clients.create({ name: unique("Global"), type: "public", redirectUris: [REDIRECT], scopes: ["openid"], domainId: null }),
  );
  expect(createError).toMatchObject({ code: "FORBIDDEN", message: "You need the clients:write permission globally." });
  expect(createEvents).toEqual([]);

  const attempts = [
    () => caller.clients.update({ clientId: client.clientId, name: "Taken over" }),
    () => caller.clients.rotateSecret({ clientId: client.clientId }),
    () => caller.clients.disable({ clientId: client.clientId }),
    () => caller.clients.enable({ clientId: client.clientId }),
    () => caller.clients.delete({ clientId: client.clientId }),
  ];
  const rowBefore = await clientRow(client.clientId);
  for (const attempt of attempts) {
    const { error, events } = await eventsDuring(attempt);
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "Client not found." });
    expect(events).toEqual([]);
  }
  expect(await clientRow(client.clientId)).toEqual(rowBefore);
});

test("a domain-admin of another domain neither lists, reads nor edits a domain's client", async () => {
  const domainAdminB = await createPersona(bed.deps(), DOMAIN_ADMIN_ROLE_ID, bed.personas.domainB.id, "domain-admin-b");
  const stem = unique("foreign");
  const { client } = await seedClient({ name: stem, domainId: bed.personas.domainA.id });
  const rowBefore = await clientRow(client.clientId);

  expect((await domainAdminB.caller.clients.list({ search: stem })).items).toEqual([]);
  expect((await domainAdminB.caller.clients.list({ domainId: bed.personas.domainA.id })).items).toEqual([]);
  expect(await rejection(domainAdminB.caller.clients.get({ clientId: client.clientId }))).toMatchObject({ code: "NOT_FOUND", message: "Client not found." });
  const { error, events } = await eventsDuring(() =>
    domainAdminB.caller.clients.update({ clientId: client.clientId, name: "Taken over", redirectUris: ["https://attacker.example/cb"] }),
  );
  expect(error).toMatchObject({ code: "NOT_FOUND", message: "Client not found." });
  expect(events).toEqual([]);
  expect(await clientRow(client.clientId)).toEqual(rowBefore);
});

test("a domain-admin creates a client in its domain only", async () => {
  const created = await bed.personas.domainAdminA.caller.clients.create({
    name: unique("Own"),
    type: "confidential",
    redirectUris: [REDIRECT],
    scopes: ["openid"],
    domainId: bed.personas.domainA.id,
  });
  expect(created.client).toMatchObject({ domainId: bed.personas.domainA.id, domainName: "Domain A", origin: "console" });
  const [registration] = await bed.database.db
    .select()
    .from(clientRegistration)
    .where(eq(clientRegistration.clientId, created.client.clientId));
  expect(registration).toMatchObject({ domainId: bed.personas.domainA.id, origin: "console", createdBy: bed.personas.domainAdminA.userId });
});

// ---------------------------------------------------------------------------------------------
// create

test("a confidential client's secret is in the create response only, and only its hash is stored", async () => {
  const name = unique("Confidential");
  const { value, events } = await eventsDuring(() =>
    bed.personas.owner.caller.clients.create({
      name: `  ${name}  `,
      type: "confidential",
      redirectUris: [REDIRECT],
      scopes: ["mcp:read", "openid"],
      domainId: bed.personas.domainA.id,
      logoUri: "https://app.example/logo.png",
    }),
  );
  const created = value as Awaited<ReturnType<Caller["clients"]["create"]>>;
  const secret = created.clientSecret;
  expect(typeof secret).toBe("string");
  expect(secret!.length).toBeGreaterThanOrEqual(32);
  expect(created.client).toEqual({
    clientId: expect.any(String),
    name,
    type: "confidential",
    authMethod: "client_secret_basic",
    redirectUris: [REDIRECT],
    scopes: ["openid", "mcp:read"],
    domainId: bed.personas.domainA.id,
    domainName: "Domain A",
    origin: "console",
    disabled: false,
    skipConsent: false,
    resourceServer: false,
    logoUri: "https://app.example/logo.png",
    metadataDocumentHost: null,
    createdAt: expect.any(Date),
    updatedAt: expect.any(Date),
  });

  const stored = await clientRow(created.client.clientId);
  expect(stored?.clientSecret).not.toBe(secret);
  expect(stored?.clientSecret).not.toContain(secret);
  expect(stored?.clientSecret).toBe(storedSecretHash(secret!));

  const fetched = await bed.personas.owner.caller.clients.get({ clientId: created.client.clientId });
  const listed = await bed.personas.owner.caller.clients.list({ search: name });
  expect(listed.items).toHaveLength(1);
  for (const shown of [fetched, listed.items[0]]) {
    expect(shown).not.toHaveProperty("clientSecret");
    expect(JSON.stringify(shown)).not.toContain(secret);
    expect(JSON.stringify(shown)).not.toContain(stored!.clientSecret);
  }

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "client.created",
    targetId: created.client.clientId,
    details: { name, type: "confidential", redirectUris: [REDIRECT], scopes: ["openid", "mcp:read"], skipConsent: false },
  });
  expect(JSON.stringify(events[0])).not.toContain(secret);
});

test("a public client gets no secret, in the response or in storage", async () => {
  const created = await bed.personas.owner.caller.clients.create({
    name: unique("Public"),
    type: "public",
    redirectUris: ["http://127.0.0.1:8765/callback"],
    scopes: ["openid"],
  });
  expect(created.clientSecret).toBeNull();
  expect(created.client).toMatchObject({ type: "public", authMethod: "none", domainId: null, domainName: null });
  expect((await clientRow(created.client.clientId))?.clientSecret).toBeNull();
});

test("redirect URIs may be https, loopback http or a desktop app's private-use scheme (reverse-domain, or with a host as Cursor's), and duplicates collapse", async () => {
  const uris = [
    "https://app.example/cb",
    "http://localhost/cb",
    "http://127.0.0.1:9000/cb",
    "http://[::1]/cb",
    "com.example.app:/callback",
    "cursor://anysphere.cursor-mcp/oauth/callback",
  ];
  const created = await bed.personas.owner.caller.clients.create({
    name: unique("Uris"),
    type: "public",
    redirectUris: [...uris, "https://app.example/cb"],
    scopes: ["openid"],
  });
  expect(created.client.redirectUris).toEqual(uris);
});

const tooMany = Array.from({ length: 21 }, (_, index) => `https://app.example/cb/${index}`);

test.each([
  ["a redirect URI with a fragment", { redirectUris: ["https://app.example/cb#done"] }, "A redirect URI must not contain a fragment (#)."],
  [
    "plain http on a public host",
    { redirectUris: ["http://example.com/cb"] },
    "Plain http is allowed only for localhost, 127.0.0.1 or [::1].",
  ],
  [
    "a javascript: redirect URI",
    { redirectUris: ["javascript:alert(1)"] },
    "Script, file and browser-internal schemes (javascript:, data:, file: and the like) are not allowed as redirect URIs.",
  ],
  [
    "a data: redirect URI",
    { redirectUris: ["data:text/html,hi"] },
    "Script, file and browser-internal schemes (javascript:, data:, file: and the like) are not allowed as redirect URIs.",
  ],
  ["credentials in a redirect URI", { redirectUris: ["https://user:pw@app.example/cb"] }, "A redirect URI must not contain a user name or password."],
  ["a wildcard in a redirect URI", { redirectUris: ["https://*.app.example/cb"] }, "A redirect URI must be exact: wildcards (*) are not allowed."],
  [
    "a custom scheme with neither a host nor a reverse-domain name",
    { redirectUris: ["myapp:/cb"] },
    "A custom-scheme redirect URI needs a host (myapp://host/callback) or a reverse-domain scheme with a path (com.example.app:/callback).",
  ],
  ["a relative redirect URI", { redirectUris: ["/callback"] }, "A redirect URI must be an absolute URL, such as https://app.example/callback."],
  ["no redirect URI", { redirectUris: [] }, "Give at least one redirect URI."],
  ["21 redirect URIs", { redirectUris: tooMany }, "A client has at most 20 redirect URIs."],
  ["an unknown scope", { scopes: ["openid", "admin"] }, `A scope is one of: ${OAUTH_SCOPES.join(", ")}.`],
  ["no scope", { scopes: [] }, "Allow at least one scope."],
  ["a name of 101 characters", { name: "n".repeat(101) }, "A client name is at most 100 characters."],
  ["a blank name", { name: "   " }, "Give the client a name."],
  ["an http logo", { logoUri: "http://app.example/logo.png" }, "A logo URL must be an https URL."],
  ["a logo on a private IP address", { logoUri: "https://10.0.0.7/logo.png" }, "A logo URL must be on a public host name, not an IP address or an internal name."],
  ["a logo on an internal host name", { logoUri: "https://grafana.internal/logo.png" }, "A logo URL must be on a public host name, not an IP address or an internal name."],
  ["an unknown type", { type: "hybrid" }, 'The type is "public" or "confidential".'],
])("create with %s is BAD_REQUEST with that sentence, and writes neither a client nor an event", async (_case, override, message) => {
  const clientsBefore = await bed.database.db.$count(oauthClient);
  const eventsBefore = await countAuditRows(bed.database.db);
  const input = { name: unique("Bad"), type: "public", redirectUris: [REDIRECT], scopes: ["openid"], ...override };
  const error = await rejection(bed.personas.owner.caller.clients.create(input as Parameters<Caller["clients"]["create"]>[0]));
  expect(error.code).toBe("BAD_REQUEST");
  // The first issue is the sentence the console shows next to the field.
  expect(error.cause).toBeInstanceOf(ZodError);
  expect((error.cause as ZodError).issues[0]?.message).toBe(message);
  expect(await bed.database.db.$count(oauthClient)).toBe(clientsBefore);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("create for a domain that does not exist is NOT_FOUND and writes nothing", async () => {
  const clientsBefore = await bed.database.db.$count(oauthClient);
  const { error, events } = await eventsDuring(() =>
    bed.personas.owner.caller.clients.create({
      name: unique("Orphan"),
      type: "public",
      redirectUris: [REDIRECT],
      scopes: ["openid"],
      domainId: randomUUID(),
    }),
  );
  expect(error).toMatchObject({ code: "NOT_FOUND", message: "Domain not found." });
  expect(events).toEqual([]);
  expect(await bed.database.db.$count(oauthClient)).toBe(clientsBefore);
});

test("trusting a client (skip consent) needs clients:admin globally: a domain's own clients:admin is not enough", async () => {
  const input = { name: unique("Trusted"), type: "public" as const, redirectUris: [REDIRECT], scopes: ["openid" as const], domainId: bed.personas.domainA.id };

  // The domain-admin holds clients:admin in A, which used to be enough to make a consent-free app for A.
  const clientsBefore = await bed.database.db.$count(oauthClient);
  const refused = await eventsDuring(() => bed.personas.domainAdminA.caller.clients.create({ ...input, skipConsent: true }));
  expect(refused.error).toMatchObject({ code: "FORBIDDEN", message: "You need the clients:admin permission globally." });
  expect(refused.events).toEqual([]);
  expect(await bed.database.db.$count(oauthClient)).toBe(clientsBefore);

  const created = await bed.personas.domainAdminA.caller.clients.create(input);
  const update = await eventsDuring(() => bed.personas.domainAdminA.caller.clients.update({ clientId: created.client.clientId, skipConsent: true }));
  expect(update.error).toMatchObject({ code: "FORBIDDEN", message: "You need the clients:admin permission globally." });
  expect(update.events).toEqual([]);
  expect((await clientRow(created.client.clientId))?.skipConsent).toBe(false);
  // Sending the unchanged value back, as a form does, is not a change that needs the permission.
  expect(await outcome(bed.personas.domainAdminA.caller.clients.update({ clientId: created.client.clientId, skipConsent: false }))).toBe("ok");

  const trusted = await eventsDuring(() => bed.personas.admin.caller.clients.create({ ...input, name: unique("Trusted"), skipConsent: true }));
  const trustedClient = (trusted.value as { client: { clientId: string; skipConsent: boolean } }).client;
  expect(trustedClient.skipConsent).toBe(true);
  expect(actionsOf(trusted.events)).toEqual(["client.created", "client.trusted"]);
  expect(trusted.events.every((event) => event.targetId === trustedClient.clientId && event.actorUserId === bed.personas.admin.userId)).toBe(true);

  const marked = await eventsDuring(() => bed.personas.admin.caller.clients.update({ clientId: created.client.clientId, skipConsent: true }));
  expect(actionsOf(marked.events)).toEqual(["client.trusted", "client.updated"]);
  expect(marked.events.find((event) => event.action === "client.updated")?.details).toEqual({ before: { skipConsent: false }, after: { skipConsent: true } });
  // Taking trust away needs only clients:admin where the client lives.
  const unmarked = await eventsDuring(() => bed.personas.domainAdminA.caller.clients.update({ clientId: created.client.clientId, skipConsent: false }));
  expect(actionsOf(unmarked.events)).toEqual(["client.untrusted", "client.updated"]);
  expect((await clientRow(created.client.clientId))?.skipConsent).toBe(false);
});

test("a clients:write holder without clients:admin cannot take a client's trust away either", async () => {
  const tenant = await createDomain(bed.database.db);
  const writer = await personaWith(["clients:read", "clients:write"], tenant.id);
  const { client } = await seedClient({ domainId: tenant.id, skipConsent: true });
  const { error, events } = await eventsDuring(() => writer.caller.clients.update({ clientId: client.clientId, skipConsent: false }));
  expect(error).toMatchObject({ code: "FORBIDDEN", message: "You need the clients:admin permission in this domain." });
  expect(events).toEqual([]);
});

test("no MCP token can make a client trusted or a resource server, not even the owner's", async () => {
  const { client } = await seedClient({ domainId: null });
  const asToken = await tokenCallerAs(bed.deps(), bed.personas.owner.userId, client.clientId);
  const before = await clientRow(client.clientId);
  const attempts = [
    () => asToken.clients.create({ name: unique("Via MCP"), type: "public", redirectUris: [REDIRECT], scopes: ["openid"], skipConsent: true }),
    () => asToken.clients.update({ clientId: client.clientId, skipConsent: true }),
    () => asToken.clients.update({ clientId: client.clientId, resourceServer: true }),
  ];
  for (const attempt of attempts) {
    const { error, events } = await eventsDuring(attempt);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/^An MCP client cannot .*Gatehouse console\.$/) });
    expect(events).toEqual([]);
  }
  expect(await clientRow(client.clientId)).toEqual(before);
  // The same token may still register an ordinary client.
  expect(await outcome(asToken.clients.create({ name: unique("Via MCP"), type: "public", redirectUris: [REDIRECT], scopes: ["mcp:admin"] }))).toBe("ok");
});

// ---------------------------------------------------------------------------------------------
// Scopes are bounded by what the creator can use

test("a client's MCP scopes stay within the tools its creator can use where it lives, on create and on update", async () => {
  const tenant = await createDomain(bed.database.db);
  // clients:write makes create_client usable, so mcp:write; no admin tool's permissions, so no mcp:admin.
  const writer = await personaWith(["clients:read", "clients:write"], tenant.id);
  const base = { type: "public" as const, redirectUris: [REDIRECT], domainId: tenant.id };

  const clientsBefore = await bed.database.db.$count(oauthClient);
  const refused = await eventsDuring(() =>
    writer.caller.clients.create({ ...base, name: unique("Too strong"), scopes: ["openid", "mcp:read", "mcp:admin"] }),
  );
  expect(refused.error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("You cannot allow mcp:admin: your roles in this domain") });
  expect(refused.events).toEqual([]);
  expect(await bed.database.db.$count(oauthClient)).toBe(clientsBefore);

  const created = await writer.caller.clients.create({
    ...base,
    name: unique("Within"),
    scopes: ["openid", "profile", "email", "offline_access", "mcp:read", "mcp:write"],
  });
  const widened = await eventsDuring(() =>
    writer.caller.clients.update({ clientId: created.client.clientId, scopes: ["openid", "mcp:write", "mcp:admin"] }),
  );
  expect(widened.error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("You cannot allow mcp:admin") });
  expect(widened.events).toEqual([]);
  expect((await clientRow(created.client.clientId))?.scopes).toEqual(["openid", "profile", "email", "offline_access", "mcp:read", "mcp:write"]);

  // A scope someone stronger gave the client may stay while the writer edits the rest.
  const { client: strong } = await seedClient({ domainId: tenant.id, scopes: ["openid", "mcp:admin"] });
  expect(await outcome(writer.caller.clients.update({ clientId: strong.clientId, name: unique("Renamed"), scopes: ["mcp:admin"] }))).toBe("ok");

  // Held in another domain only, a permission does not count here: the domain-admin of A can use mcp:admin in A only.
  expect(await outcome(bed.personas.domainAdminA.caller.clients.create({ ...base, name: unique("A"), domainId: bed.personas.domainA.id, scopes: ["mcp:admin"] }))).toBe(
    "ok",
  );
  const globalWriter = await personaWith(["clients:read", "clients:write"], null);
  const installationWide = await rejection(
    globalWriter.caller.clients.create({ ...base, name: unique("Global"), domainId: null, scopes: ["mcp:write", "mcp:admin"] }),
  );
  expect(installationWide).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("You cannot allow mcp:admin: your roles globally") });
});

// ---------------------------------------------------------------------------------------------
// Resource servers

test("only a global clients:admin marks a confidential client as a resource server, and each change is audited", async () => {
  const { client } = await seedClient({ domainId: bed.personas.domainA.id });
  const { client: publicClient } = await seedClient({ domainId: bed.personas.domainA.id, type: "public" });
  const resourceServer = async (clientId: string) =>
    (await bed.database.db.select().from(clientRegistration).where(eq(clientRegistration.clientId, clientId)))[0]?.resourceServer;

  const byDomainAdmin = await eventsDuring(() => bed.personas.domainAdminA.caller.clients.update({ clientId: client.clientId, resourceServer: true }));
  expect(byDomainAdmin.error).toMatchObject({ code: "FORBIDDEN", message: "You need the clients:admin permission globally." });
  expect(byDomainAdmin.events).toEqual([]);
  expect(await resourceServer(client.clientId)).toBe(false);

  const publicRefused = await eventsDuring(() => bed.personas.admin.caller.clients.update({ clientId: publicClient.clientId, resourceServer: true }));
  expect(publicRefused.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Only a confidential client") });
  expect(publicRefused.events).toEqual([]);

  const marked = await eventsDuring(() => bed.personas.admin.caller.clients.update({ clientId: client.clientId, resourceServer: true }));
  expect(marked.value).toMatchObject({ clientId: client.clientId, resourceServer: true });
  expect(await resourceServer(client.clientId)).toBe(true);
  expect(actionsOf(marked.events)).toEqual(["client.resource_server_marked", "client.updated"]);
  expect(marked.events.every((event) => event.domainId === bed.personas.domainA.id)).toBe(true);
  expect(marked.events.find((event) => event.action === "client.updated")?.details).toEqual({
    before: { resourceServer: false },
    after: { resourceServer: true },
  });
  expect(await bed.personas.domainAdminA.caller.clients.get({ clientId: client.clientId })).toMatchObject({ resourceServer: true });

  // Unmarking needs the same global permission, and writes its own event.
  expect(await outcome(bed.personas.domainAdminA.caller.clients.update({ clientId: client.clientId, resourceServer: false }))).toBe("FORBIDDEN");
  const unmarked = await eventsDuring(() => bed.personas.admin.caller.clients.update({ clientId: client.clientId, resourceServer: false }));
  expect(actionsOf(unmarked.events)).toEqual(["client.resource_server_unmarked", "client.updated"]);
  expect(await resourceServer(client.clientId)).toBe(false);
});

// ---------------------------------------------------------------------------------------------
// update

test("update changes the fields and writes one client.updated event with only what changed, before and after", async () => {
  const { client } = await seedClient({ name: unique("Before"), scopes: ["openid"] });
  const name = unique("After");
  const { value, events } = await eventsDuring(() =>
    bed.personas.owner.caller.clients.update({
      clientId: client.clientId,
      name,
      redirectUris: ["https://app.example/new", "http://localhost:4000/cb"],
      scopes: ["mcp:write", "openid"],
      logoUri: "https://app.example/logo.svg",
    }),
  );
  expect(value).toMatchObject({
    clientId: client.clientId,
    name,
    redirectUris: ["https://app.example/new", "http://localhost:4000/cb"],
    scopes: ["openid", "mcp:write"],
    logoUri: "https://app.example/logo.svg",
  });
  expect(await bed.personas.owner.caller.clients.get({ clientId: client.clientId })).toMatchObject({
    name,
    scopes: ["openid", "mcp:write"],
  });
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "client.updated",
    targetType: "client",
    targetId: client.clientId,
    domainId: bed.personas.domainA.id,
    details: {
      before: { name: client.name, redirectUris: [REDIRECT], scopes: ["openid"], logoUri: "" },
      after: {
        name,
        redirectUris: ["https://app.example/new", "http://localhost:4000/cb"],
        scopes: ["openid", "mcp:write"],
        logoUri: "https://app.example/logo.svg",
      },
    },
  });

  const removal = await eventsDuring(() => bed.personas.owner.caller.clients.update({ clientId: client.clientId, logoUri: "" }));
  expect((removal.value as { logoUri: string | null }).logoUri).toBeNull();
  expect(removal.events.map((event) => event.details)).toEqual([
    { before: { logoUri: "https://app.example/logo.svg" }, after: { logoUri: "" } },
  ]);
});

test("an update that changes nothing writes nothing, even with scopes in another order", async () => {
  const { client } = await seedClient({ scopes: ["openid", "mcp:read"] });
  const rowBefore = await clientRow(client.clientId);
  const { value, events } = await eventsDuring(() =>
    bed.personas.owner.caller.clients.update({
      clientId: client.clientId,
      name: `  ${client.name} `,
      redirectUris: [REDIRECT, REDIRECT],
      scopes: ["mcp:read", "openid"],
      skipConsent: false,
      logoUri: "",
    }),
  );
  expect(value).toEqual(client);
  expect(events).toEqual([]);
  expect(await clientRow(client.clientId)).toEqual(rowBefore);
});

test("update refuses bad input with nothing written", async () => {
  const { client } = await seedClient();
  const { error, events } = await eventsDuring(() =>
    bed.personas.owner.caller.clients.update({ clientId: client.clientId, redirectUris: ["http://example.com/cb"] }),
  );
  expect(error).toMatchObject({ code: "BAD_REQUEST" });
  expect(events).toEqual([]);
  expect((await clientRow(client.clientId))?.redirectUris).toEqual([REDIRECT]);
  expect(await outcome(bed.personas.owner.caller.clients.update({ clientId: randomUUID(), name: "Nobody" }))).toBe("NOT_FOUND");
});

// ---------------------------------------------------------------------------------------------
// rotateSecret, disable, enable

test("rotateSecret returns a new secret, replaces the stored hash and revokes the client's live tokens", async () => {
  const { client, clientSecret: oldSecret } = await seedClient();
  const other = await seedClient();
  const holder = await signUp(bed.auth, uniqueEmail("holder"));
  const live = await issueAccessToken(client.clientId, holder.userId);
  const machine = await issueAccessToken(client.clientId, null);
  const expired = await issueAccessToken(client.clientId, holder.userId, -60);
  const refresh = await issueRefreshToken(client.clientId, holder.userId);
  const untouched = await issueAccessToken(other.client.clientId, holder.userId);

  const { value, events } = await eventsDuring(() => bed.personas.owner.caller.clients.rotateSecret({ clientId: client.clientId }));
  const rotated = value as { clientId: string; clientSecret: string };
  expect(rotated.clientId).toBe(client.clientId);
  expect(typeof rotated.clientSecret).toBe("string");
  expect(rotated.clientSecret).not.toBe(oldSecret);
  expect((await clientRow(client.clientId))?.clientSecret).toBe(storedSecretHash(rotated.clientSecret));

  expect(await accessTokenStatus(bed.database.db, live)).toBe("revoked");
  expect(await accessTokenStatus(bed.database.db, machine)).toBe("revoked");
  expect(await refreshRevoked(refresh)).toBeInstanceOf(Date);
  expect(await accessTokenStatus(bed.database.db, untouched)).toBe("active");
  expect((await bed.personas.owner.caller.clients.get({ clientId: client.clientId })).liveAccessTokens).toBe(0);

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "client.secret_rotated",
    targetId: client.clientId,
    details: { accessTokensRevoked: 2, refreshTokensRevoked: 1, consentsRevoked: 0 },
  });
  expect(JSON.stringify(events[0])).not.toContain(rotated.clientSecret);
  // The expired token was not live, so it was neither counted nor touched.
  const [expiredRow] = await bed.database.db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, expired));
  expect(expiredRow?.revokedAt).toBeNull();
});

test("rotateSecret of a public client is BAD_REQUEST and changes nothing", async () => {
  const { client } = await seedClient({ type: "public" });
  const holder = await signUp(bed.auth, uniqueEmail("public-holder"));
  const jti = await issueAccessToken(client.clientId, holder.userId);
  const { error, events } = await eventsDuring(() => bed.personas.owner.caller.clients.rotateSecret({ clientId: client.clientId }));
  expect(error).toMatchObject({ code: "BAD_REQUEST", message: "Only a confidential client has a secret to rotate." });
  expect(events).toEqual([]);
  expect((await clientRow(client.clientId))?.clientSecret).toBeNull();
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("active");
});

test("disable revokes the client's tokens and enable flips it back, each with one event and no event when nothing changes", async () => {
  const { client } = await seedClient();
  const holder = await signUp(bed.auth, uniqueEmail("disable-holder"));
  const jti = await issueAccessToken(client.clientId, holder.userId);
  const refresh = await issueRefreshToken(client.clientId, holder.userId);

  const disabled = await eventsDuring(() => bed.personas.owner.caller.clients.disable({ clientId: client.clientId }));
  expect(disabled.value).toMatchObject({ clientId: client.clientId, disabled: true });
  expect((await clientRow(client.clientId))?.disabled).toBe(true);
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("revoked");
  expect(await refreshRevoked(refresh)).toBeInstanceOf(Date);
  expect(disabled.events).toHaveLength(1);
  expect(disabled.events[0]).toMatchObject({
    action: "client.disabled",
    targetId: client.clientId,
    details: { name: client.name, accessTokensRevoked: 1, refreshTokensRevoked: 1, consentsRevoked: 0 },
  });
  expect((await bed.personas.owner.caller.clients.list({ search: client.clientId, status: "disabled" })).items).toHaveLength(1);

  const again = await eventsDuring(() => bed.personas.owner.caller.clients.disable({ clientId: client.clientId }));
  expect(again.value).toMatchObject({ disabled: true });
  expect(again.events).toEqual([]);

  const enabled = await eventsDuring(() => bed.personas.owner.caller.clients.enable({ clientId: client.clientId }));
  expect(enabled.value).toMatchObject({ clientId: client.clientId, disabled: false });
  expect((await clientRow(client.clientId))?.disabled).toBe(false);
  expect(enabled.events).toHaveLength(1);
  expect(enabled.events[0]).toMatchObject({ action: "client.enabled", targetId: client.clientId, details: { name: client.name } });
  // Enabling undoes the switch only: what disabling revoked stays revoked.
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("revoked");

  const enabledAgain = await eventsDuring(() => bed.personas.owner.caller.clients.enable({ clientId: client.clientId }));
  expect(enabledAgain.events).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// delete

test("delete removes the client with its registration, consents, refresh tokens and ledger rows", async () => {
  const { client } = await seedClient();
  const holder = await signUp(bed.auth, uniqueEmail("delete-holder"));
  const live = await issueAccessToken(client.clientId, holder.userId);
  await issueAccessToken(client.clientId, holder.userId, -60);
  await issueRefreshToken(client.clientId, holder.userId);
  await consent(client.clientId, holder.userId);

  const { value, events } = await eventsDuring(() => bed.personas.owner.caller.clients.delete({ clientId: client.clientId }));
  expect(value).toEqual({ clientId: client.clientId });
  expect(await clientRow(client.clientId)).toBeUndefined();
  expect(await bed.database.db.$count(issuedAccessToken, eq(issuedAccessToken.clientId, client.clientId))).toBe(0);
  expect(await bed.database.db.$count(oauthRefreshToken, eq(oauthRefreshToken.clientId, client.clientId))).toBe(0);
  expect(await bed.database.db.$count(oauthConsent, eq(oauthConsent.clientId, client.clientId))).toBe(0);
  expect(await bed.database.db.$count(clientRegistration, eq(clientRegistration.clientId, client.clientId))).toBe(0);
  // With the ledger row gone the token is refused like one that was never issued.
  expect(await accessTokenStatus(bed.database.db, live)).toBe("unknown");
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "client.deleted",
    targetId: client.clientId,
    domainId: bed.personas.domainA.id,
    details: { name: client.name, type: "confidential", accessTokensRevoked: 1 },
  });

  expect(await outcome(bed.personas.owner.caller.clients.get({ clientId: client.clientId }))).toBe("NOT_FOUND");
  expect(await outcome(bed.personas.owner.caller.clients.delete({ clientId: client.clientId }))).toBe("NOT_FOUND");
});

// ---------------------------------------------------------------------------------------------
// Audit in the same transaction

/** Makes SQLite refuse audit rows of one action, to show that the change is rolled back with its record. */
async function withAuditRefused(action: string, work: () => Promise<void>) {
  await bed.database.client.execute(
    `create trigger refuse_audit before insert on audit_event when new.action = '${action}'
     begin select raise(abort, 'audit refused by the test'); end`,
  );
  try {
    await work();
  } finally {
    await bed.database.client.execute("drop trigger refuse_audit");
  }
}

test.each([
  ["create", "client.created"],
  ["update", "client.updated"],
  ["rotateSecret", "client.secret_rotated"],
  ["disable", "client.disabled"],
  ["enable", "client.enabled"],
  ["delete", "client.deleted"],
] as const)("%s leaves nothing behind when its audit event cannot be written", async (procedure, action) => {
  const stem = unique("atomic");
  const { client } = await seedClient({ name: stem, disabled: procedure === "enable" });
  const holder = await signUp(bed.auth, uniqueEmail("atomic"));
  const jti = await issueAccessToken(client.clientId, holder.userId);
  const rowBefore = await clientRow(client.clientId);
  const clientsBefore = await bed.database.db.$count(oauthClient);
  const caller = bed.personas.owner.caller;
  const calls = {
    create: () => caller.clients.create({ name: `${stem} new`, type: "confidential", redirectUris: [REDIRECT], scopes: ["openid"] }),
    update: () => caller.clients.update({ clientId: client.clientId, name: `${stem} renamed` }),
    rotateSecret: () => caller.clients.rotateSecret({ clientId: client.clientId }),
    disable: () => caller.clients.disable({ clientId: client.clientId }),
    enable: () => caller.clients.enable({ clientId: client.clientId }),
    delete: () => caller.clients.delete({ clientId: client.clientId }),
  };

  await withAuditRefused(action, async () => {
    expect(await outcome(calls[procedure]())).toBe("INTERNAL_SERVER_ERROR");
  });

  expect(await bed.database.db.$count(oauthClient)).toBe(clientsBefore);
  expect(await clientRow(client.clientId)).toEqual(rowBefore);
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("active");
  expect((await auditRows(bed.database.db, { action })).filter((row) => row.targetId === client.clientId)).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// list

test("list filters by domain, type, status and a search on name or client_id", async () => {
  const stem = unique("filters");
  const tenant = await createDomain(bed.database.db);
  const publicA = await seedClient({ name: `${stem} Public Alpha`, type: "public", domainId: bed.personas.domainA.id });
  const confidentialA = await seedClient({ name: `${stem} Confidential Beta`, domainId: bed.personas.domainA.id, disabled: true });
  const inTenant = await seedClient({ name: `${stem} Tenant Gamma`, domainId: tenant.id });
  const global = await seedClient({ name: `${stem} Global Delta`, type: "public", domainId: null });
  const ids = async (input: Parameters<Caller["clients"]["list"]>[0]) =>
    (await bed.personas.owner.caller.clients.list({ search: stem, ...input })).items.map((item) => item.clientId).sort();
  const sorted = (...clients: { client: { clientId: string } }[]) => clients.map(({ client }) => client.clientId).sort();

  expect(await ids({})).toEqual(sorted(publicA, confidentialA, inTenant, global));
  expect(await ids({ domainId: bed.personas.domainA.id })).toEqual(sorted(publicA, confidentialA));
  expect(await ids({ domainId: tenant.id })).toEqual(sorted(inTenant));
  expect(await ids({ type: "public" })).toEqual(sorted(publicA, global));
  expect(await ids({ type: "confidential" })).toEqual(sorted(confidentialA, inTenant));
  expect(await ids({ status: "disabled" })).toEqual(sorted(confidentialA));
  expect(await ids({ status: "active" })).toEqual(sorted(publicA, inTenant, global));
  expect(await ids({ type: "confidential", status: "active", domainId: tenant.id })).toEqual(sorted(inTenant));
  expect(await ids({ search: `${stem} confidential BETA`.toUpperCase() })).toEqual(sorted(confidentialA));
  expect(await ids({ search: global.client.clientId })).toEqual(sorted(global));
  expect(await ids({ search: "%" })).toEqual([]);
});

test("list pages newest first without repeating or skipping a client, even when clients arrive between pages", async () => {
  const stem = unique("paging");
  const created: string[] = [];
  for (let index = 0; index < 7; index += 1) created.push((await seedClient({ name: `${stem} ${index}` })).client.clientId);

  const seen: string[] = [];
  let page = await bed.personas.owner.caller.clients.list({ search: stem, limit: 3 });
  seen.push(...page.items.map((item) => item.clientId));
  expect(page.items).toHaveLength(3);
  const late = (await seedClient({ name: `${stem} late` })).client.clientId;
  while (page.nextCursor) {
    page = await bed.personas.owner.caller.clients.list({ search: stem, limit: 3, cursor: page.nextCursor });
    seen.push(...page.items.map((item) => item.clientId));
  }

  expect(new Set(seen).size).toBe(seen.length);
  expect([...seen].sort()).toEqual([...created].sort());
  // Newer than the first page, so it belongs before the cursor and never shows up behind it.
  expect(seen).not.toContain(late);
  const everything = await bed.personas.owner.caller.clients.list({ search: stem, limit: 100 });
  const createdAt = new Map(everything.items.map((item) => [item.clientId, item.createdAt.getTime()]));
  const times = seen.map((id) => createdAt.get(id)!);
  expect(times).toEqual([...times].sort((a, b) => b - a));
});

test("list refuses a bad limit or a forged cursor", async () => {
  expect(await outcome(bed.personas.owner.caller.clients.list({ limit: 0 }))).toBe("BAD_REQUEST");
  expect(await outcome(bed.personas.owner.caller.clients.list({ limit: 101 }))).toBe("BAD_REQUEST");
  const error = await rejection(bed.personas.owner.caller.clients.list({ cursor: "not-a-cursor" }));
  expect(error).toMatchObject({ code: "BAD_REQUEST", message: "This page cursor is not valid; load the list again from the first page." });
});

test("get counts only live access tokens", async () => {
  const { client } = await seedClient();
  const holder = await signUp(bed.auth, uniqueEmail("counted"));
  await issueAccessToken(client.clientId, holder.userId);
  await issueAccessToken(client.clientId, null);
  await issueAccessToken(client.clientId, holder.userId, -60);
  expect((await bed.personas.auditor.caller.clients.get({ clientId: client.clientId })).liveAccessTokens).toBe(2);
});

// ---------------------------------------------------------------------------------------------
// can flags: what the console renders from

test("list and get carry each client's can flags, computed where the client lives", async () => {
  const stem = unique("Flagged");
  const { client: inA } = await seedClient({ name: `${stem} A`, domainId: bed.personas.domainA.id });
  const { client: global } = await seedClient({ name: `${stem} global`, domainId: null });
  const everything = { edit: true, rotateSecret: true, disable: true, enable: true, delete: true, trust: true, setResourceServer: true };
  const nothing = { edit: false, rotateSecret: false, disable: false, enable: false, delete: false, trust: false, setResourceServer: false };

  const asAdmin = await bed.personas.admin.caller.clients.list({ search: stem });
  expect(Object.fromEntries(asAdmin.items.map((item) => [item.clientId, item.can]))).toEqual({ [inA.clientId]: everything, [global.clientId]: everything });

  // A domain-admin acts on A's clients, but marking one trusted or a resource server is for a global clients:admin.
  const asDomainAdmin = await bed.personas.domainAdminA.caller.clients.list({ search: stem });
  expect(asDomainAdmin.items.map((item) => [item.clientId, item.can])).toEqual([[inA.clientId, { ...everything, trust: false, setResourceServer: false }]]);

  const asAuditor = await bed.personas.auditor.caller.clients.get({ clientId: inA.clientId });
  expect(asAuditor.can).toEqual({ ...nothing, revokeGrants: false, viewGrants: true, blockHost: false });
  const asOwner = await bed.personas.owner.caller.clients.get({ clientId: inA.clientId });
  // Blocking a host is offered only for a client a metadata document identifies.
  expect(asOwner.can).toEqual({ ...everything, revokeGrants: true, viewGrants: true, blockHost: false });
});

test("taking a client's trust away is flagged for clients:admin where it lives, as update allows it", async () => {
  const { client } = await seedClient({ domainId: bed.personas.domainA.id, skipConsent: true });
  const flagged = await bed.personas.domainAdminA.caller.clients.get({ clientId: client.clientId });
  expect(flagged.can.trust).toBe(true);
  const writer = await personaWith(["clients:read", "clients:write"], bed.personas.domainA.id);
  expect((await writer.caller.clients.get({ clientId: client.clientId })).can.trust).toBe(false);
});

test("the list says whether and where the caller may register a client, and whether it may be trusted", async () => {
  const asOwner = await bed.personas.owner.caller.clients.list({ limit: 1 });
  expect(asOwner.can).toEqual({ create: true, createInstallationWide: true, trust: true });
  expect(asOwner.domains.map((option) => option.id)).toEqual(expect.arrayContaining([bed.personas.domainA.id, bed.personas.domainB.id]));
  expect(asOwner.domains.every((option) => option.can.register)).toBe(true);

  const asDomainAdmin = await bed.personas.domainAdminA.caller.clients.list({ limit: 1 });
  expect(asDomainAdmin.can).toEqual({ create: true, createInstallationWide: false, trust: false });
  expect(asDomainAdmin.domains).toEqual([{ id: bed.personas.domainA.id, name: bed.personas.domainA.name, can: { register: true } }]);

  const asAuditor = await bed.personas.auditor.caller.clients.list({ limit: 1 });
  expect(asAuditor.can).toEqual({ create: false, createInstallationWide: false, trust: false });
  expect(asAuditor.domains.some((option) => option.can.register)).toBe(false);

  // A token never marks a client trusted, so a token's list does not offer it either.
  const { client } = await seedClient({ domainId: null });
  const asToken = await tokenCallerAs(bed.deps(), bed.personas.owner.userId, client.clientId);
  expect((await asToken.clients.list({ limit: 1 })).can.trust).toBe(false);
});
