import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDatabase } from "@/db/client";
import { MEMBER_ROLE_ID, oauthConsent, oauthRefreshToken, userBan } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { claimAttempt, lockAttempts } from "@/server/auth/attempt-limit";
import { accountAttemptKey, networkAttemptKey } from "@/server/auth/plugins/second-factor-lockout";
import { STEP_UP_ATTEMPTS, stepUpAttemptKey } from "@/server/auth/step-up";
import { storedSecretHash } from "@/server/oauth/config";
import { createTestAuth, signUp, uniqueEmail } from "@/server/testing/auth";
import { createDomain, grantRole, openPersonaTestBed, type Caller, type Personas } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { unique } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import {
  detailInputFrom,
  flagSetsOf,
  flaggedQueries,
  listOf,
  openInputOf,
  procedureOf,
  procedures,
  rowIdentity,
  rowsOfList,
  underivableQuery,
} from "@/server/testing/walk";

/**
 * The console renders every control from the `can` flags the server returns, so a flag that says
 * "yes" to a mutation the server then refuses (or "no" to one it allows) is a permission rule the
 * console gets wrong. This walk asks every list and detail query, as every role, for its rows, and
 * calls each flagged procedure on each row: a flag must be true exactly when the procedure is not
 * refused with FORBIDDEN or NOT_FOUND. A row some other role reads and this one does not is checked
 * too: no mutation its flags predict may run for this role, which is what makes this walk the attack
 * on every predicted mutation (escalation.test.ts attacks only the mutations no flag predicts). A
 * mutation the flag allows runs in a throw-away copy of the database, so the world every check
 * starts from stays the same.
 *
 * Nothing here lists the queries: a list is called with `{}`, a detail with rows of its router's
 * list (`server/testing/walk.ts`), so a new flagged query is walked as soon as it is declared.
 */

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
 * Inputs beyond the derived ones (see `server/testing/walk.ts`: a list is called with `{}`, a detail
 * with each row of its router's list), for the few queries whose rows change with a filter.
 */
const EXTRA_INPUTS: Record<string, (world: World) => unknown[]> = {
  // Filtered to one user, the list shows a domain administrator that user's sessions and no others.
  "sessions.list": (w) => [{ userId: w.memberAId }],
};

const ROLES = ["owner", "admin", "domainAdminA", "auditor", "member"] as const;
type RoleName = (typeof ROLES)[number];

let database: TestDatabase;
let auth: Auth;
let world: World;
let sandboxDir: string;

beforeAll(async () => {
  let personas: Personas;
  ({ database, auth, personas } = await openPersonaTestBed());
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
  // Lockouts of an account in each tenant and of a network, locked through the limiter itself.
  const lockUntil = new Date(Date.now() + 60 * 60_000);
  for (const key of [accountAttemptKey(memberA.userId), stepUpAttemptKey(memberB.userId), networkAttemptKey("192.0.2.16")]) {
    await claimAttempt(database.db, key, STEP_UP_ATTEMPTS);
    await lockAttempts(database.db, key, lockUntil);
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

test("every flagged query is walked, and every flag names a procedure of the router", () => {
  expect(flaggedQueries.map(underivableQuery).filter((reason) => reason !== null)).toEqual([]);
  for (const name of flaggedQueries) {
    for (const [flag, { procedure }] of flagSetsOf(name).flatMap((can) => Object.entries(can.flags))) {
      expect(["query", "mutation"], `${name} flag ${flag} names ${procedure}`).toContain(procedures[procedure]?._def.type);
    }
  }
});

/**
 * How many rows of its list a detail is opened on. Each opening checks every flag as every role and
 * runs each allowed mutation in a copy of the database, so the walk picks rows whose flags differ.
 */
const DETAIL_ROWS = 6;

/** Up to DETAIL_ROWS rows, one of each set of flags the owner sees first, then the others in list order. */
function variedRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const signatures = new Set<string>();
  const first: Record<string, unknown>[] = [];
  const rest: Record<string, unknown>[] = [];
  for (const row of rows) {
    const signature = JSON.stringify(row.can ?? null);
    if (signatures.has(signature)) {
      rest.push(row);
    } else {
      signatures.add(signature);
      first.push(row);
    }
  }
  return [...first, ...rest].slice(0, DETAIL_ROWS);
}

/**
 * The inputs the walk calls a flagged query with: `{}` (or nothing) for a list, each row of its
 * router's list (read by the owner, who sees every row) for a detail, and any extra filter.
 */
async function inputsOf(name: string): Promise<unknown[]> {
  const extra = EXTRA_INPUTS[name]?.(world) ?? [];
  const open = openInputOf(name);
  if (open) return [open.input, ...extra];
  const list = listOf(name);
  const rows = rowsOfList(await procedureOf(world.personas.owner.caller, list)(openInputOf(list)?.input));
  const inputs = variedRows(rows).map((row) => detailInputFrom(name, row)).filter((input) => input !== undefined);
  if (inputs.length === 0) throw new Error(`${list} answered the owner no row that opens ${name}; the walk has nothing to check.`);
  return [...inputs, ...extra];
}

/** One flag set's rows as one role read them, by identity (see `rowIdentity`). */
type RowsSeen = Map<string, unknown>;

test.each(flaggedQueries)("%s: each row's can flags agree with the procedures they predict, for every role and every row", async (name) => {
  const disagreements: string[] = [];
  let checked = 0;
  const sets = flagSetsOf(name);
  for (const input of await inputsOf(name)) {
    // What each role reads, per flag set; a role refused the query reads no rows.
    const seenBy = new Map<RoleName, RowsSeen[]>();
    for (const role of ROLES) {
      let output: unknown;
      let refused = false;
      try {
        output = await procedureOf(world.personas[role].caller, name)(input);
      } catch (error) {
        if (!(error instanceof TRPCError && (error.code === "FORBIDDEN" || error.code === "NOT_FOUND"))) throw error;
        refused = true;
      }
      seenBy.set(role, sets.map((can) => new Map(refused ? [] : can.rows(output).map((row) => [rowIdentity(row), row]))));
    }
    for (const role of ROLES) {
      const caller = world.personas[role].caller;
      for (const [index, can] of sets.entries()) {
        const own = seenBy.get(role)![index]!;
        // Each row this role reads: its flags must agree with the procedures they predict.
        for (const row of own.values()) {
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
        // Each row another role reads and this one does not: no mutation it predicts may run for this role.
        // (A query it predicts may still answer: a list filtered to what the role sees.)
        const hidden = new Map<string, unknown>();
        for (const other of ROLES) for (const [identity, row] of seenBy.get(other)![index]!) if (!own.has(identity)) hidden.set(identity, row);
        for (const row of hidden.values()) {
          for (const [flag, { procedure, input: inputOf }] of Object.entries(can.flags)) {
            if (procedures[procedure]!._def.type !== "mutation") continue;
            const outcome = await outcomeOf(() => procedureOf(caller, procedure)(inputOf(row)));
            checked += 1;
            if (outcome === "ran") {
              disagreements.push(`${name} as ${role}: a row it cannot read was acted on through can.${flag} (${procedure} ${JSON.stringify(inputOf(row))})`);
            }
          }
        }
      }
    }
  }
  expect(disagreements).toEqual([]);
  expect(checked, `${name}: no role read a row of it, so nothing was checked; give the world in can-flags.test.ts some`).toBeGreaterThan(0);
}, 600_000);

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
