import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDatabase } from "@/db/client";
import { MEMBER_ROLE_ID, OWNER_ROLE_ID, oauthConsent, oauthRefreshToken, userBan } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { storedSecretHash } from "@/server/oauth/config";
import { createTestAuth, signUp, uniqueEmail } from "@/server/testing/auth";
import { createDomain, createPersonas, grantRole, type Caller, type Personas } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { unique } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import type { CanFlags, Meta } from "./init";
import { appRouter } from "./root";

/**
 * The console renders every control from the `can` flags the server returns, so a flag that says
 * "yes" to a mutation the server then refuses (or "no" to one it allows) is a permission rule the
 * console gets wrong. This walk asks every list and detail query, as every role, for its rows, and
 * calls each flagged procedure on each row: a flag must be true exactly when the procedure is not
 * refused with FORBIDDEN or NOT_FOUND. A mutation the flag allows runs in a throw-away copy of the
 * database, so the world every check starts from stays the same.
 */

type Procedures = Record<string, { _def: { type: "query" | "mutation" | "subscription"; meta?: Meta } }>;
const procedures = (appRouter as unknown as { _def: { procedures: Procedures } })._def.procedures;

interface World {
  personas: Personas;
  /** A member of domain A, holding a custom role there; has a session and a grant to clientA. */
  memberAId: string;
  memberBId: string;
  /** A member of both tenants: only a global administrator acts on the whole account. */
  memberABId: string;
  bannedAId: string;
  pendingAId: string;
  helpdeskRoleId: string;
  clientAId: string;
  clientBId: string;
  globalClientId: string;
}

/**
 * How to call each flagged query: the inputs whose rows the walk checks. A flagged query missing
 * here fails the walk, so a new list or detail cannot ship flags nobody checked.
 */
const QUERY_INPUTS: Record<string, (world: World) => unknown[]> = {
  "users.list": () => [{}],
  "users.get": (w) => [w.memberAId, w.memberBId, w.memberABId, w.bannedAId, w.pendingAId, w.personas.owner.userId].map((id) => ({ id })),
  "users.options": () => [undefined],
  "roles.list": () => [{}],
  "roles.get": (w) => [w.helpdeskRoleId, OWNER_ROLE_ID, MEMBER_ROLE_ID].map((id) => ({ id })),
  "roles.permissionOptions": () => [undefined],
  "domains.list": () => [{}],
  "domains.get": (w) => [w.personas.domainA.id, w.personas.domainB.id].map((id) => ({ id })),
  "clients.list": () => [{}],
  "clients.get": (w) => [w.clientAId, w.clientBId, w.globalClientId].map((clientId) => ({ clientId })),
  "clientMetadataDocuments.get": () => [undefined],
  "grants.list": () => [{}],
  "sessions.list": (w) => [{}, { userId: w.memberAId }],
  "account.sessions": () => [undefined],
  "account.connectedApps": () => [undefined],
};

const ROLES = ["owner", "admin", "domainAdminA", "auditor", "member"] as const;
type RoleName = (typeof ROLES)[number];

let database: TestDatabase;
let auth: Auth;
let world: World;
let sandboxDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  auth = await createTestAuth(database.db);
  const deps = { db: database.db, auth };
  const personas = await createPersonas(deps);
  const asOwner = personas.owner.caller;
  const { domainA, domainB } = personas;

  const memberA = await signUp(auth, uniqueEmail("member-a"));
  await grantRole(database.db, memberA.userId, MEMBER_ROLE_ID, domainA.id);
  const memberB = await signUp(auth, uniqueEmail("member-b"));
  await grantRole(database.db, memberB.userId, MEMBER_ROLE_ID, domainB.id);
  const memberAB = await signUp(auth, uniqueEmail("member-ab"));
  await grantRole(database.db, memberAB.userId, MEMBER_ROLE_ID, domainA.id);
  await grantRole(database.db, memberAB.userId, MEMBER_ROLE_ID, domainB.id);
  const bannedA = await signUp(auth, uniqueEmail("banned-a"));
  await grantRole(database.db, bannedA.userId, MEMBER_ROLE_ID, domainA.id);
  await database.db.insert(userBan).values({ userId: bannedA.userId, reason: "", bannedBy: personas.owner.userId, bannedAt: new Date() });
  const pendingA = await asOwner.users.invite({ email: uniqueEmail("pending-a"), name: "Pending A", roleId: MEMBER_ROLE_ID, domainId: domainA.id });

  const helpdesk = await asOwner.roles.create({ name: unique("helpdesk"), permissions: ["users:read"] });
  await grantRole(database.db, memberA.userId, helpdesk.id, domainA.id);
  // The member persona reads domain B's clients and nothing else: someone who sees a client but not its grants.
  const clientReader = await asOwner.roles.create({ name: unique("client-reader"), permissions: ["clients:read"] });
  await grantRole(database.db, personas.member.userId, clientReader.id, domainB.id);

  const client = (name: string, domainId: string | null) =>
    asOwner.clients.create({ name, type: "confidential", redirectUris: ["https://app.example/callback"], scopes: ["openid", "offline_access", "mcp:read"], domainId });
  const clientA = (await client("App A", domainA.id)).client.clientId;
  const clientB = (await client("App B", domainB.id)).client.clientId;
  const globalClient = (await client("Global app", null)).client.clientId;
  for (const [userId, clientId] of [
    [memberA.userId, clientA],
    [memberB.userId, clientB],
    [memberAB.userId, globalClient],
    // The member persona's own connected app, for the account's lists.
    [personas.member.userId, globalClient],
  ] as const) {
    const now = new Date();
    await database.db.insert(oauthConsent).values({ id: randomUUID(), clientId, userId, scopes: ["openid", "mcp:read"], createdAt: now, updatedAt: now });
    await database.db.insert(oauthRefreshToken).values({
      id: randomUUID(),
      token: storedSecretHash(randomUUID()),
      clientId,
      userId,
      scopes: ["openid", "mcp:read"],
      createdAt: now,
      expiresAt: new Date(now.getTime() + 86_400_000),
    });
  }
  // A tenant nobody but global administrators reaches, so that lists have rows some roles cannot act on.
  await createDomain(database.db, { name: "Domain C" });

  world = {
    personas,
    memberAId: memberA.userId,
    memberBId: memberB.userId,
    memberABId: memberAB.userId,
    bannedAId: bannedA.userId,
    pendingAId: pendingA.id,
    helpdeskRoleId: helpdesk.id,
    clientAId: clientA,
    clientBId: clientB,
    globalClientId: globalClient,
  };
  sandboxDir = mkdtempSync(path.join(tmpdir(), "gatehouse-can-flags-"));
}, 120_000);

afterAll(() => {
  database?.destroy();
  if (sandboxDir) rmSync(sandboxDir, { recursive: true, force: true });
});

function procedureOf(caller: Caller, procedurePath: string): (input: unknown) => Promise<unknown> {
  const [namespace, name] = procedurePath.split(".") as [string, string];
  const procedure = (caller as unknown as Record<string, Record<string, ((input: unknown) => Promise<unknown>) | undefined> | undefined>)[namespace]?.[name];
  if (!procedure) throw new Error(`${procedurePath} is not a procedure of the app router.`);
  return procedure;
}

function cookieOf(role: RoleName): string {
  return world.personas[role].cookie;
}

/**
 * What the procedure made of the call: ran (a conflict with the row's state counts, the caller got
 * past the rules), refused (FORBIDDEN or NOT_FOUND), or invalid (BAD_REQUEST: a combination the
 * server never accepts, such as the owner role in a domain).
 */
async function outcomeOf(run: () => Promise<unknown>): Promise<"ran" | "refused" | "invalid"> {
  try {
    await run();
    return "ran";
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    if (error.code === "FORBIDDEN" || error.code === "NOT_FOUND") return "refused";
    if (error.code === "BAD_REQUEST") return "invalid";
    return "ran";
  }
}

let sandboxSequence = 0;

/** Runs a mutation as `role` in a copy of the database, so an allowed change leaves the world as it was. */
async function inSandbox(role: RoleName, run: (caller: Caller) => Promise<unknown>): Promise<unknown> {
  sandboxSequence += 1;
  const file = path.join(sandboxDir, `sandbox-${sandboxSequence}.db`);
  await database.client.execute(`VACUUM INTO '${file}'`);
  const copy = createDatabase(`file:${file}`);
  try {
    const copyAuth = await createTestAuth(copy.db);
    return await run(await callerAs({ db: copy.db, auth: copyAuth }, cookieOf(role)));
  } finally {
    copy.client.close();
    rmSync(file, { force: true });
  }
}

/** Every flag of every flagged query was seen true for some row and false for another: a walk that only ever met one answer proves little. */
const seen = new Map<string, Set<boolean>>();

/** Flags that are true for every row by design, with the reason; each is still checked against its procedure. */
const ALWAYS_TRUE: Record<string, string> = {
  "account.sessions revoke": "a person may end any session of their own",
  "account.connectedApps revoke": "a person may disconnect any application they allowed",
};

test("every query declares the can flags of its rows, or that the console acts on none of them", () => {
  const undeclared = Object.entries(procedures)
    .filter(([, procedure]) => procedure._def.type === "query" && procedure._def.meta?.can === undefined)
    .map(([name]) => name);
  expect(undeclared).toEqual([]);
});

/** A query's declared flag sets: one for a list's items, several for a detail with rows inside it. */
function flagSetsOf(name: string): CanFlags<unknown, unknown>[] {
  const can = procedures[name]?._def.meta?.can;
  if (!can) return [];
  return Array.isArray(can) ? [...can] : [can as CanFlags<unknown, unknown>];
}

const flaggedQueries = Object.entries(procedures)
  .filter(([, procedure]) => procedure._def.type === "query" && procedure._def.meta?.can)
  .map(([name]) => name);

test("every flagged query is walked, and every flag names a procedure of the router", () => {
  expect(flaggedQueries.filter((name) => !QUERY_INPUTS[name])).toEqual([]);
  for (const name of flaggedQueries) {
    for (const [flag, { procedure }] of flagSetsOf(name).flatMap((can) => Object.entries(can.flags))) {
      expect(["query", "mutation"], `${name} flag ${flag} names ${procedure}`).toContain(procedures[procedure]?._def.type);
    }
  }
});

test.each(flaggedQueries)("%s: each row's can flags agree with the procedures they predict, for every role", async (name) => {
  const disagreements: string[] = [];
  let checked = 0;
  for (const role of ROLES) {
    const caller = world.personas[role].caller;
    for (const input of QUERY_INPUTS[name]!(world)) {
      let output: unknown;
      try {
        output = await procedureOf(caller, name)(input);
      } catch (error) {
        // A role that may not read these rows has no flags to check.
        if (error instanceof TRPCError && (error.code === "FORBIDDEN" || error.code === "NOT_FOUND")) continue;
        throw error;
      }
      for (const can of flagSetsOf(name)) for (const row of can.rows(output)) {
        const flags = (row as { can?: Record<string, boolean> }).can;
        for (const [flag, { procedure, input: inputOf }] of Object.entries(can.flags)) {
          const said = flags?.[flag];
          const described = `${name} as ${role}: can.${flag} (${procedure} ${JSON.stringify(inputOf(row))})`;
          if (typeof said !== "boolean") {
            disagreements.push(`${described} is missing`);
            continue;
          }
          // A query writes nothing, and neither does a refused mutation: only a mutation the flag allows
          // needs the copy. A wrong "no" that then writes fails the walk anyway.
          const writes = said && procedures[procedure]!._def.type === "mutation";
          const outcome = writes
            ? await outcomeOf(() => inSandbox(role, (sandboxCaller) => procedureOf(sandboxCaller, procedure)(inputOf(row))))
            : await outcomeOf(() => procedureOf(caller, procedure)(inputOf(row)));
          checked += 1;
          const key = `${name} ${flag}`;
          seen.set(key, (seen.get(key) ?? new Set()).add(said));
          // A "yes" must run; a "no" may be a refusal or a combination the server never accepts. A "yes"
          // the server calls invalid means the flag's input is wrong, which is a disagreement too.
          if (said ? outcome !== "ran" : outcome === "ran") disagreements.push(`${described} says ${said}, the procedure answered: ${outcome}`);
        }
      }
    }
  }
  expect(disagreements).toEqual([]);
  expect(checked).toBeGreaterThan(0);
}, 300_000);

test("every flag was met both true and false somewhere in the walk", () => {
  const oneSided = flaggedQueries.flatMap((name) =>
    flagSetsOf(name).flatMap((can) => Object.keys(can.flags))
      .map((flag) => `${name} ${flag}`)
      .filter((key) => seen.get(key)?.size !== 2 && !(ALWAYS_TRUE[key] && seen.get(key)?.has(true)))
      .map((key) => `${key}: ${[...(seen.get(key) ?? [])].join(", ") || "never checked"}`),
  );
  expect(oneSided).toEqual([]);
});

test("the walk notices a wrong flag: a mutation said to be refused that runs is a disagreement", async () => {
  const allowed = await outcomeOf(() => inSandbox("owner", (caller) => procedureOf(caller, "users.update")({ id: world.memberAId, name: "Renamed" })));
  expect(allowed).toBe("ran");
  const refused = await outcomeOf(() => procedureOf(world.personas.member.caller, "users.update")({ id: world.memberAId, name: "Renamed" }));
  expect(refused).toBe("refused");
});
