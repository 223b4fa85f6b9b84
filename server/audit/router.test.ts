import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { AUDITOR_ROLE_ID, domain, user as userTable } from "@/db/schema";
import { ID_MAX_LENGTH } from "@/server/ids";
import { encodeCursor } from "@/server/paging";
import type { AuditFilter } from "./inputs";
import { auditPageSql, auditWindowEndSql, planAuditQuery, type AuditScope } from "./plan";
import { signUp } from "@/server/testing/auth";
import { countAuditRows, createDomain, grantRole, type Caller, personaTestBed } from "@/server/testing/authz";
import { unique } from "@/server/testing/outcome";
import type { Permission } from "@/server/shared/permissions";
import { BASE, addAuditEvent, allAuditPages, atSecond, uniqueActionPrefix, type TestEvent } from "@/server/testing/audit";
import { callerAs } from "@/server/testing/trpc";
import { auditRouter } from "./router";

const bed = personaTestBed();
const addEvent = (event: TestEvent) => addAuditEvent(bed.database.db, event);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? "thrown";
  }
}


describe("allow/deny matrix", () => {
  type PersonaCase = "owner" | "admin" | "domainAdminOnA" | "domainAdminOnB" | "auditor" | "member" | "anonymous";
  type Outcome = "ok" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND";

  const procedures: Record<string, (caller: Caller, domainId: string) => Promise<unknown>> = {
    list: (caller, domainId) => caller.audit.list({ domainId }),
    get: (caller, domainId) => caller.audit.get({ id: eventIn.get(domainId)! }),
    actions: (caller) => caller.audit.actions(),
    domains: (caller) => caller.audit.domains(),
    export: (caller, domainId) => caller.audit.export({ domainId }),
  };

  const expected: Record<string, Record<PersonaCase, Outcome>> = {
    list: { owner: "ok", admin: "ok", domainAdminOnA: "ok", domainAdminOnB: "NOT_FOUND", auditor: "ok", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
    get: { owner: "ok", admin: "ok", domainAdminOnA: "ok", domainAdminOnB: "NOT_FOUND", auditor: "ok", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
    actions: { owner: "ok", admin: "ok", domainAdminOnA: "ok", domainAdminOnB: "ok", auditor: "ok", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
    domains: { owner: "ok", admin: "ok", domainAdminOnA: "ok", domainAdminOnB: "ok", auditor: "ok", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
    export: { owner: "ok", admin: "ok", domainAdminOnA: "ok", domainAdminOnB: "NOT_FOUND", auditor: "ok", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
  };

  function actingAs(persona: PersonaCase): { caller: Caller; domainId: string } {
    const { owner, admin, domainAdminA, auditor, member, anonymous, domainA, domainB } = bed.personas;
    const callers: Record<PersonaCase, Caller> = {
      owner: owner.caller,
      admin: admin.caller,
      domainAdminOnA: domainAdminA.caller,
      domainAdminOnB: domainAdminA.caller,
      auditor: auditor.caller,
      member: member.caller,
      anonymous,
    };
    return { caller: callers[persona], domainId: persona === "domainAdminOnB" ? domainB.id : domainA.id };
  }

  /** One event filed under each tenant, for get. */
  const eventIn = new Map<string, string>();
  beforeAll(async () => {
    for (const tenant of [bed.personas.domainA, bed.personas.domainB]) {
      eventIn.set(tenant.id, await addEvent({ action: "matrix.event", at: atSecond(0), domainId: tenant.id }));
    }
  });

  const cases = Object.entries(expected).flatMap(([procedure, outcomes]) =>
    Object.entries(outcomes).map(([persona, outcome]) => ({ procedure, persona: persona as PersonaCase, outcome })),
  );

  test.each(cases)("$procedure as $persona: $outcome", async ({ procedure, persona, outcome }) => {
    const { caller, domainId } = actingAs(persona);
    expect(await codeOf(procedures[procedure]!(caller, domainId))).toBe(outcome);
  });
});

test("the router has only read procedures: nothing updates, deletes, removes or purges audit rows", () => {
  const procedures = auditRouter._def.procedures as Record<string, { _def: { type: string } }>;
  expect(Object.keys(procedures).sort()).toEqual(["actions", "domains", "export", "get", "list"]);
  for (const name of Object.keys(procedures)) expect(name).not.toMatch(/update|delete|remove|purge|edit|clear/i);
  for (const procedure of Object.values(procedures)) expect(procedure._def.type).toBe("query");
});

test("reading the log writes nothing to it", async () => {
  const before = await countAuditRows(bed.database.db);
  await bed.personas.owner.caller.audit.list({});
  await bed.personas.owner.caller.audit.actions();
  await bed.personas.owner.caller.audit.export({});
  const [first] = (await bed.personas.owner.caller.audit.list({ limit: 1 })).items;
  await bed.personas.owner.caller.audit.get({ id: first!.id });
  expect(await countAuditRows(bed.database.db)).toBe(before);
});

describe("scope", () => {
  test("a domain-admin of A sees A's events only: not B's, not global ones", async () => {
    const ns = uniqueActionPrefix();
    const inA = await addEvent({ action: `${ns}a`, at: atSecond(1), domainId: bed.personas.domainA.id });
    await addEvent({ action: `${ns}b`, at: atSecond(2), domainId: bed.personas.domainB.id });
    await addEvent({ action: `${ns}global`, at: atSecond(3), domainId: null });

    const page = await bed.personas.domainAdminA.caller.audit.list({ action: ns });
    expect(page.items.map((item) => item.id)).toEqual([inA]);
    const all = await bed.personas.domainAdminA.caller.audit.list({ limit: 100 });
    expect(all.items.every((item) => item.domainId === bed.personas.domainA.id)).toBe(true);
  });

  test("global readers see events of every domain and events without one", async () => {
    const ns = uniqueActionPrefix();
    const ids = [
      await addEvent({ action: `${ns}a`, at: atSecond(1), domainId: bed.personas.domainA.id }),
      await addEvent({ action: `${ns}b`, at: atSecond(2), domainId: bed.personas.domainB.id }),
      await addEvent({ action: `${ns}global`, at: atSecond(3), domainId: null }),
    ].reverse();
    for (const persona of [bed.personas.owner, bed.personas.admin, bed.personas.auditor]) {
      const page = await persona.caller.audit.list({ action: ns });
      expect(page.items.map((item) => item.id)).toEqual(ids);
    }
  });

  test("the scope holds whichever filter drives the query", async () => {
    const ns = uniqueActionPrefix();
    const actor = `actor-${randomUUID()}`;
    const targetId = `object-${randomUUID()}`;
    const common = { action: `${ns}role.assigned`, actorUserId: actor, targetType: "user", targetId };
    const inA = await addEvent({ ...common, at: atSecond(1), domainId: bed.personas.domainA.id });
    await addEvent({ ...common, at: atSecond(2), domainId: bed.personas.domainB.id });
    await addEvent({ ...common, at: atSecond(3), domainId: null });
    const filters: AuditFilter[] = [
      { actorUserId: actor },
      { action: `${ns}role.assigned` },
      { action: `${ns}role.` },
      { targetId },
      { targetType: "user", targetId },
      { actorUserId: actor, from: atSecond(0), to: atSecond(10) },
    ];
    for (const filter of filters) {
      const page = await bed.personas.domainAdminA.caller.audit.list(filter);
      expect(page.items.map((item) => item.id), JSON.stringify(filter)).toEqual([inA]);
    }
  });

  test("a domain filter outside the caller's scope is NOT_FOUND with a message", async () => {
    await expect(bed.personas.domainAdminA.caller.audit.list({ domainId: bed.personas.domainB.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Domain not found.",
    });
    await expect(bed.personas.domainAdminA.caller.audit.list({ domainId: "no-such-domain" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("get finds one event for a reader of its domain; another tenant's event, an installation-wide one and an unknown id are the same NOT_FOUND", async () => {
    const ns = uniqueActionPrefix();
    const inA = await addEvent({ action: `${ns}a`, at: atSecond(1), domainId: bed.personas.domainA.id, actorUserId: bed.personas.owner.userId, details: { name: "x" } });
    const inB = await addEvent({ action: `${ns}b`, at: atSecond(2), domainId: bed.personas.domainB.id });
    const global = await addEvent({ action: `${ns}global`, at: atSecond(3), domainId: null });

    expect(await bed.personas.domainAdminA.caller.audit.get({ id: inA })).toMatchObject({
      id: inA,
      action: `${ns}a`,
      actorUserId: bed.personas.owner.userId,
      actorEmail: bed.personas.owner.email,
      domainId: bed.personas.domainA.id,
      domainName: "Domain A",
      details: { name: "x" },
    });
    const refusals = await Promise.all(
      [inB, global, `missing-${randomUUID()}`].map((id) => bed.personas.domainAdminA.caller.audit.get({ id }).catch((error: unknown) => error)),
    );
    for (const refusal of refusals) expect(refusal).toMatchObject({ code: "NOT_FOUND", message: "Audit event not found." });
    for (const persona of [bed.personas.owner, bed.personas.admin, bed.personas.auditor]) {
      for (const id of [inA, inB, global]) expect((await persona.caller.audit.get({ id })).id).toBe(id);
    }
  });

  test("a reader in several domains sees the events of each of them, merged newest first", async () => {
    const ns = uniqueActionPrefix();
    const domainC = await createDomain(bed.database.db);
    const reader = await signUp(bed.auth);
    await grantRole(bed.database.db, reader.userId, AUDITOR_ROLE_ID, bed.personas.domainA.id);
    await grantRole(bed.database.db, reader.userId, AUDITOR_ROLE_ID, domainC.id);
    const caller = await callerAs(bed.deps(), reader.cookie);
    const a1 = await addEvent({ action: `${ns}x`, at: atSecond(1), domainId: bed.personas.domainA.id });
    const c2 = await addEvent({ action: `${ns}x`, at: atSecond(2), domainId: domainC.id });
    await addEvent({ action: `${ns}x`, at: atSecond(3), domainId: bed.personas.domainB.id });
    const a4 = await addEvent({ action: `${ns}x`, at: atSecond(4), domainId: bed.personas.domainA.id });
    const c5 = await addEvent({ action: `${ns}x`, at: atSecond(5), domainId: domainC.id });

    expect(await allAuditPages(caller, { action: ns }, 2)).toEqual([c5, a4, c2, a1]);
  });
});

describe("filters", () => {
  test("actorUserId keeps the events that user caused", async () => {
    const ns = uniqueActionPrefix();
    const actor = `actor-${randomUUID()}`;
    const mine = await addEvent({ action: `${ns}x`, at: atSecond(1), actorUserId: actor });
    await addEvent({ action: `${ns}x`, at: atSecond(2), actorUserId: `other-${randomUUID()}` });
    expect((await bed.personas.owner.caller.audit.list({ actorUserId: actor })).items.map((item) => item.id)).toEqual([mine]);
  });

  test("an exact action matches only that action; a prefix ending in '.' matches every action under it", async () => {
    const ns = uniqueActionPrefix();
    const created = await addEvent({ action: `${ns}role.created`, at: atSecond(1) });
    const assigned = await addEvent({ action: `${ns}role.assigned`, at: atSecond(2) });
    await addEvent({ action: `${ns}roles.listed`, at: atSecond(3) });
    await addEvent({ action: `${ns}role`, at: atSecond(4) });
    await addEvent({ action: `${ns}user.created`, at: atSecond(5) });
    const owner = bed.personas.owner.caller;

    expect((await owner.audit.list({ action: `${ns}role.created` })).items.map((item) => item.id)).toEqual([created]);
    expect((await owner.audit.list({ action: `${ns}role.` })).items.map((item) => item.id)).toEqual([assigned, created]);
    expect((await owner.audit.list({ action: `${ns}nothing.` })).items).toEqual([]);
  });

  test("targetType and targetId narrow to what the event is about, alone or together", async () => {
    const ns = uniqueActionPrefix();
    const sharedId = `object-${randomUUID()}`;
    const asUser = await addEvent({ action: `${ns}x`, at: atSecond(1), targetType: "user", targetId: sharedId });
    const asClient = await addEvent({ action: `${ns}x`, at: atSecond(2), targetType: "client", targetId: sharedId });
    const roleEvent = await addEvent({ action: `${ns}x`, at: atSecond(3), targetType: `role${ns}`, targetId: "role_member" });
    const untyped = await addEvent({ action: `${ns}x`, at: atSecond(4), targetType: `role${ns}`, targetId: null });
    const owner = bed.personas.owner.caller;

    expect((await owner.audit.list({ targetId: sharedId })).items.map((item) => item.id)).toEqual([asClient, asUser]);
    expect((await owner.audit.list({ targetType: "user", targetId: sharedId })).items.map((item) => item.id)).toEqual([asUser]);
    expect((await owner.audit.list({ targetType: `role${ns}` })).items.map((item) => item.id)).toEqual([untyped, roleEvent]);
    expect((await owner.audit.list({ action: ns, targetType: "client" })).items.map((item) => item.id)).toEqual([asClient]);
    expect((await owner.audit.list({ targetType: `missing${ns}` })).items).toEqual([]);
  });

  test("domainId keeps that domain's events", async () => {
    const ns = uniqueActionPrefix();
    const inA = await addEvent({ action: `${ns}x`, at: atSecond(1), domainId: bed.personas.domainA.id });
    await addEvent({ action: `${ns}x`, at: atSecond(2), domainId: bed.personas.domainB.id });
    await addEvent({ action: `${ns}x`, at: atSecond(3) });
    expect((await bed.personas.owner.caller.audit.list({ action: ns, domainId: bed.personas.domainA.id })).items.map((item) => item.id)).toEqual([inA]);
  });

  test("from and to bound the time range, both inclusive", async () => {
    const ns = uniqueActionPrefix();
    const ids = [];
    for (let n = 1; n <= 5; n += 1) ids.push(await addEvent({ action: `${ns}x`, at: atSecond(n) }));
    const page = await bed.personas.owner.caller.audit.list({ action: ns, from: atSecond(2), to: atSecond(4) });
    expect(page.items.map((item) => item.id)).toEqual([ids[3], ids[2], ids[1]]);
    const instant = await bed.personas.owner.caller.audit.list({ action: ns, from: atSecond(3), to: atSecond(3) });
    expect(instant.items.map((item) => item.id)).toEqual([ids[2]]);
  });

  test("filters combine: every condition must hold", async () => {
    const ns = uniqueActionPrefix();
    const actor = `actor-${randomUUID()}`;
    const match = await addEvent({ action: `${ns}role.assigned`, at: atSecond(5), actorUserId: actor, targetType: "user", targetId: "u1", domainId: bed.personas.domainA.id });
    await addEvent({ action: `${ns}role.assigned`, at: atSecond(6), actorUserId: actor, targetType: "user", targetId: "u1", domainId: bed.personas.domainB.id });
    await addEvent({ action: `${ns}role.assigned`, at: atSecond(50), actorUserId: actor, targetType: "user", targetId: "u1", domainId: bed.personas.domainA.id });
    await addEvent({ action: `${ns}user.updated`, at: atSecond(7), actorUserId: actor, targetType: "user", targetId: "u1", domainId: bed.personas.domainA.id });
    const page = await bed.personas.owner.caller.audit.list({
      actorUserId: actor,
      action: `${ns}role.`,
      targetType: "user",
      targetId: "u1",
      domainId: bed.personas.domainA.id,
      from: atSecond(0),
      to: atSecond(10),
    });
    expect(page.items.map((item) => item.id)).toEqual([match]);
  });
});

describe("items", () => {
  test("carry the actor's email and name and the domain's name, or null once deleted", async () => {
    const ns = uniqueActionPrefix();
    const actor = await signUp(bed.auth);
    const gone = await signUp(bed.auth);
    const doomedDomain = await createDomain(bed.database.db, { name: "Short-lived" });
    const withNames = await addEvent({ action: `${ns}x`, at: atSecond(2), actorUserId: actor.userId, domainId: bed.personas.domainA.id, details: { a: 1 } });
    const orphaned = await addEvent({ action: `${ns}x`, at: atSecond(1), actorUserId: gone.userId, domainId: doomedDomain.id });
    await bed.database.db.delete(userTable).where(eq(userTable.id, gone.userId));
    await bed.database.db.delete(domain).where(eq(domain.id, doomedDomain.id));

    const { items } = await bed.personas.owner.caller.audit.list({ action: ns });
    expect(items[0]).toEqual({
      id: withNames,
      at: atSecond(2),
      actorUserId: actor.userId,
      actorEmail: actor.email,
      actorName: "Test User",
      actorVia: "web",
      clientId: null,
      clientName: null,
      result: "success",
      action: `${ns}x`,
      targetType: null,
      targetId: null,
      domainId: bed.personas.domainA.id,
      domainName: "Domain A",
      ip: "192.0.2.1",
      userAgent: "vitest",
      details: { a: 1 },
    });
    expect(items[1]).toMatchObject({ id: orphaned, actorUserId: gone.userId, actorEmail: null, actorName: null, domainId: doomedDomain.id, domainName: null });
  });
});

describe("pagination", () => {
  test("pages run newest first and events inserted between pages neither appear later nor shift anything", async () => {
    const ns = uniqueActionPrefix();
    const original: string[] = [];
    for (let n = 1; n <= 7; n += 1) original.push(await addEvent({ action: `${ns}x`, at: atSecond(n * 10) }));
    const newestFirst = [...original].reverse();
    const owner = bed.personas.owner.caller;

    const first = await owner.audit.list({ action: ns, limit: 3 });
    expect(first.items.map((item) => item.id)).toEqual(newestFirst.slice(0, 3));
    await addEvent({ action: `${ns}x`, at: atSecond(1000) });
    await addEvent({ action: `${ns}x`, at: atSecond(75) });
    const secondPage = await owner.audit.list({ action: ns, limit: 3, cursor: first.nextCursor! });
    await addEvent({ action: `${ns}x`, at: atSecond(2000) });
    const third = await owner.audit.list({ action: ns, limit: 3, cursor: secondPage.nextCursor! });

    const seen = [...first.items, ...secondPage.items, ...third.items].map((item) => item.id);
    expect(seen).toEqual(newestFirst);
    expect(third.nextCursor).toBeNull();
  });

  test("events at the same millisecond are ordered by id, descending, across page boundaries", async () => {
    const ns = uniqueActionPrefix();
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) ids.push(await addEvent({ action: `${ns}x`, at: atSecond(7) }));
    const earlier = await addEvent({ action: `${ns}x`, at: atSecond(6) });
    const expected = [...ids].sort().reverse().concat(earlier);
    expect(await allAuditPages(bed.personas.owner.caller, { action: ns }, 2)).toEqual(expected);
    expect(await allAuditPages(bed.personas.owner.caller, { action: ns }, 1)).toEqual(expected);
  });

  test("the last page has no next cursor, and an exact fit does not promise an empty page", async () => {
    const ns = uniqueActionPrefix();
    for (let n = 1; n <= 4; n += 1) await addEvent({ action: `${ns}x`, at: atSecond(n) });
    const page = await bed.personas.owner.caller.audit.list({ action: ns, limit: 4 });
    expect(page.items).toHaveLength(4);
    expect(page.nextCursor).toBeNull();
  });

  test("a cursor that is not one the server issued is BAD_REQUEST", async () => {
    const owner = bed.personas.owner.caller;
    const invalid = [
      "not-a-cursor!",
      Buffer.from("plain text").toString("base64url"),
      Buffer.from(JSON.stringify({ at: "yesterday", id: "x" })).toString("base64url"),
      Buffer.from(JSON.stringify({ at: 1 })).toString("base64url"),
      // The sort key alone, as cursors were before the log could be sorted both ways.
      encodeCursor({ at: BASE, id: "x" }),
      // A cursor of the oldest-first order, or of another list, does not continue this one.
      encodeCursor({ list: "audit", by: "at", direction: "asc", value: BASE, id: "x" }),
      encodeCursor({ list: "users", by: "at", direction: "desc", value: BASE, id: "x" }),
    ];
    for (const cursor of invalid) {
      await expect(owner.audit.list({ cursor })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/cursor/) });
    }
    await expect(owner.audit.list({ cursor: encodeCursor({ list: "audit", by: "at", direction: "desc", value: BASE, id: "x" }) })).resolves.toHaveProperty(
      "items",
    );
  });
});

describe("bad input", () => {
  test("from after to is BAD_REQUEST with a sentence", async () => {
    await expect(bed.personas.owner.caller.audit.list({ from: atSecond(2), to: atSecond(1) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/must not be after/),
    });
    await expect(bed.personas.owner.caller.audit.export({ from: atSecond(2), to: atSecond(1) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  test("a limit outside 1..100, an overlong action or an empty id is BAD_REQUEST", async () => {
    const owner = bed.personas.owner.caller;
    for (const input of [{ limit: 0 }, { limit: 101 }, { limit: 2.5 }, { action: "x".repeat(101) }, { actorUserId: "" }, { domainId: "d".repeat(ID_MAX_LENGTH + 1) }]) {
      expect(await codeOf(owner.audit.list(input))).toBe("BAD_REQUEST");
    }
  });
});

test("actions lists each action name once, alphabetically", async () => {
  const ns = uniqueActionPrefix();
  for (const action of ["b.two", "a.one", "b.two", "c.three"]) await addEvent({ action: `${ns}${action}`, at: atSecond(1) });
  const actions = await bed.personas.auditor.caller.audit.actions();
  expect(actions.filter((action) => action.startsWith(ns))).toEqual([`${ns}a.one`, `${ns}b.two`, `${ns}c.three`]);
  expect(new Set(actions).size).toBe(actions.length);
  expect([...actions].sort()).toEqual(actions);
});

describe("domains offered to the domain filter", () => {
  /** A signed-in user holding a custom role per scope: `null` is global, a domain id that domain only. */
  async function holding(grants: [permissions: Permission[], domainId: string | null][]): Promise<Caller> {
    const reader = await signUp(bed.auth);
    for (const [permissions, domainId] of grants) {
      const role = await bed.personas.owner.caller.roles.create({ name: unique("audit-filter"), permissions });
      await grantRole(bed.database.db, reader.userId, role.id, domainId);
    }
    return callerAs(bed.deps(), reader.cookie);
  }

  const slugsOf = (options: { items: { slug: string }[] }) => options.items.map((item) => item.slug);

  test("a global reader is offered every domain by slug; a domain administrator only their own", async () => {
    const everywhere = await bed.personas.auditor.caller.audit.domains();
    expect(everywhere.byName).toBe(true);
    expect(slugsOf(everywhere)).toEqual(expect.arrayContaining([bed.personas.domainA.slug, bed.personas.domainB.slug]));
    expect(slugsOf(everywhere)).toEqual([...slugsOf(everywhere)].sort());
    expect(await bed.personas.domainAdminA.caller.audit.domains()).toEqual({
      byName: true,
      items: [{ id: bed.personas.domainA.id, name: bed.personas.domainA.name, slug: bed.personas.domainA.slug }],
      more: false,
    });
  });

  test("only domains whose events the caller reads and whose names they see are offered", async () => {
    const readsAEverywhereSeen = await holding([
      [["domains:read"], null],
      [["audit:read"], bed.personas.domainA.id],
    ]);
    expect(slugsOf(await readsAEverywhereSeen.audit.domains())).toEqual([bed.personas.domainA.slug]);
    const seesOnlyB = await holding([
      [["audit:read"], null],
      [["domains:read"], bed.personas.domainB.id],
    ]);
    expect(slugsOf(await seesOnlyB.audit.domains())).toEqual([bed.personas.domainB.slug]);
  });

  test("a reader who may not see domains by name gets no names, and types a domain id instead", async () => {
    const blind = await holding([[["audit:read"], null]]);
    expect(await blind.audit.domains()).toEqual({ byName: false, items: [], more: false });
  });
});

test("export gives the download URL carrying the same filters", async () => {
  const { url } = await bed.personas.domainAdminA.caller.audit.export({
    action: "role.",
    domainId: bed.personas.domainA.id,
    from: new Date("2026-01-01T00:00:00.000Z"),
    to: new Date("2026-01-31T23:59:59.999Z"),
  });
  const parsed = new URL(url);
  expect(parsed.origin + parsed.pathname).toBe("http://localhost:3000/api/audit/export");
  expect(Object.fromEntries(parsed.searchParams)).toEqual({
    action: "role.",
    domainId: bed.personas.domainA.id,
    from: "2026-01-01T00:00:00.000Z",
    to: "2026-01-31T23:59:59.999Z",
  });
  expect((await bed.personas.owner.caller.audit.export({})).url).toBe("http://localhost:3000/api/audit/export");
});

test("every filter combination reads one index in (at, id) order, without sorting", async () => {
  const ns = uniqueActionPrefix();
  await addEvent({ action: `${ns}role.created`, at: atSecond(1), targetType: "role", targetId: "role_member", domainId: bed.personas.domainA.id });
  await addEvent({ action: `${ns}role.assigned`, at: atSecond(2), targetType: "user", targetId: "u1", domainId: bed.personas.domainB.id });
  const scopes: AuditScope[] = [
    { all: true },
    { all: false, domainIds: [bed.personas.domainA.id] },
    { all: false, domainIds: [bed.personas.domainA.id, bed.personas.domainB.id] },
  ];
  const options: Record<keyof AuditFilter, unknown[]> = {
    actorUserId: [undefined, "someone"],
    action: [undefined, `${ns}role.created`, `${ns}role.`],
    targetType: [undefined, "role", "user"],
    targetId: [undefined, "role_member"],
    domainId: [undefined, bed.personas.domainA.id],
    from: [undefined, atSecond(0)],
    to: [undefined, atSecond(100)],
    // A few actors (one arm each on the actor index), and so many that a subquery names them.
    actor: [undefined, bed.personas.admin.email, "@example.com"],
    result: [undefined, "failure", "success"],
    clientId: [undefined, "some-client"],
    search: [undefined, "created"],
  };
  // The older filters in every combination; each newer one on top of each of those combinations.
  const NEWER: (keyof AuditFilter)[] = ["actor", "result", "clientId", "search"];
  let filters: AuditFilter[] = [{}];
  for (const [key, values] of Object.entries(options)) {
    if (NEWER.includes(key as keyof AuditFilter)) continue;
    filters = filters.flatMap((filter) => values.map((value) => (value === undefined ? filter : { ...filter, [key]: value })));
  }
  expect(filters.length).toBe(2 * 3 * 3 * 2 * 2 * 2 * 2);
  filters = [
    ...filters,
    ...NEWER.flatMap((key) => options[key].filter((value) => value !== undefined).flatMap((value) => filters.map((filter) => ({ ...filter, [key]: value })))),
  ];
  for (const scope of scopes) {
    for (const filter of filters) {
      const plan = await planAuditQuery(bed.database.db, filter, scope);
      if (plan.empty) continue;
      const until = plan.text ? { at: 0, id: "a" } : undefined;
      const details = (await bed.database.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${auditPageSql(plan, { at: BASE, id: "z" }, 51, "desc", until)}`)).map(
        (row) => row.detail,
      );
      if (plan.text) {
        const window = (await bed.database.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${auditWindowEndSql(plan, { at: BASE, id: "z" })}`)).map((row) => row.detail);
        expect(window.some((detail) => detail.includes("TEMP B-TREE")), JSON.stringify({ filter, window })).toBe(false);
      }
      const reads = details.filter((detail) => /^(SEARCH|SCAN) audit_event/.test(detail));
      expect(reads.length, JSON.stringify({ filter, details })).toBe(plan.arms.length);
      for (const read of reads) expect(read).toMatch(/USING (COVERING )?INDEX audit_event_\w+_idx/);
      expect(details.some((detail) => detail.includes("TEMP B-TREE")), JSON.stringify({ filter, details })).toBe(false);
    }
  }
});
