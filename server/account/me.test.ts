import { expect, test } from "vitest";
import { signUp } from "@/server/testing/auth";
import { grantRole, personaTestBed, type Personas } from "@/server/testing/authz";
import { unique } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import { procedures } from "@/server/testing/walk";

const bed = personaTestBed();

const hrefs = async (caller: Personas["owner"]["caller"]) => (await caller.me.console()).map((page) => page.href);

/** Every page a query declares, in the app router's order. */
const DECLARED = Object.values(procedures).flatMap(({ _def }) => (_def.meta?.page ? [_def.meta.page.href] : []));

test("pages are declared by queries, one query per page", () => {
  const declaring = Object.entries(procedures).filter(([, { _def }]) => _def.meta?.page);
  expect(declaring.filter(([, { _def }]) => _def.type !== "query").map(([name]) => name)).toEqual([]);
  expect(new Set(DECLARED).size).toBe(DECLARED.length);
  expect(DECLARED).toEqual(expect.arrayContaining(["/users", "/roles", "/domains", "/clients", "/sessions", "/audit", "/account"]));
});

test("me.console lists every page to those who read everything, and only their own to a member", async () => {
  for (const persona of [bed.personas.owner, bed.personas.admin, bed.personas.auditor, bed.personas.domainAdminA]) {
    expect(await hrefs(persona.caller)).toEqual(["/", ...DECLARED]);
  }
  expect(await hrefs(bed.personas.member.caller)).toEqual(["/", "/account"]);
});

test("me.console lists a page for its query's permission held in a single domain", async () => {
  const reader = await signUp(bed.auth);
  const role = await bed.personas.owner.caller.roles.create({ name: unique("session-readers"), permissions: ["tokens:read", "audit:read"] });
  await grantRole(bed.database.db, reader.userId, role.id, bed.personas.domainB.id);
  const caller = await callerAs(bed.deps(), reader.cookie);
  expect(await hrefs(caller)).toEqual(["/", "/sessions", "/audit", "/account"]);
  // Listed exactly when the query answers.
  await expect(caller.sessions.list({})).resolves.toBeDefined();
  await expect(caller.users.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
});

test("me.console needs a signed-in caller", async () => {
  await expect(bed.personas.anonymous.me.console()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
});
