import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { user as userTable } from "@/db/schema";
import { openPersonaTestBed, type Personas } from "@/server/testing/authz";
import { addAuditEvent, allAuditPages, atSecond, uniqueActionPrefix, type TestEvent } from "@/server/testing/audit";
import type { TestDatabase } from "@/server/testing/db";
import { rejection } from "@/server/testing/outcome";
import type { AuditFilter } from "./inputs";
import { NEWEST_FIRST, auditPageSql, planAuditQuery, readAuditPage } from "./plan";

let database: TestDatabase;
let personas: Personas;

beforeAll(async () => ({ database, personas } = await openPersonaTestBed()));

afterAll(() => database.destroy());

const addEvent = (event: TestEvent) => addAuditEvent(database.db, event);


test("actor finds the events of the users whose email or name contains the text, and no one else's", async () => {
  const ns = uniqueActionPrefix();
  const mine = await addEvent({ action: `${ns}done`, at: atSecond(1), actorUserId: personas.admin.userId });
  await addEvent({ action: `${ns}done`, at: atSecond(2), actorUserId: personas.member.userId });
  await addEvent({ action: `${ns}done`, at: atSecond(3), actorUserId: null });
  const owner = personas.owner.caller;
  expect(await allAuditPages(owner, { action: `${ns}done`, actor: personas.admin.email.slice(0, 12).toUpperCase() })).toEqual([mine]);

  const [admin] = await database.db.select({ name: userTable.name }).from(userTable).where(sql`${userTable.id} = ${personas.admin.userId}`);
  const byName = await owner.audit.list({ action: `${ns}done`, actor: admin!.name });
  expect(byName.items.map((item) => item.actorUserId)).toContain(personas.admin.userId);
  expect((await owner.audit.list({ action: `${ns}done`, actor: "nobody-has-this-in-their-name" })).items).toEqual([]);
  // An empty box is no filter.
  expect(await allAuditPages(owner, { action: `${ns}done`, actor: "" })).toHaveLength(3);
});

test("an actor text many users share is matched by subquery, with the same answer", async () => {
  const ns = uniqueActionPrefix();
  const token = `crowd${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  for (let n = 0; n < 60; n += 1) {
    const id = `crowd-${randomUUID()}`;
    await database.db.insert(userTable).values({ id, name: `Member ${n}`, email: `${token}-${n}@example.com` });
    ids.push(id);
  }
  const expected: string[] = [];
  for (const [n, id] of ids.slice(0, 5).entries()) expected.unshift(await addEvent({ action: `${ns}done`, at: atSecond(10 + n), actorUserId: id }));
  await addEvent({ action: `${ns}done`, at: atSecond(30), actorUserId: personas.admin.userId });

  const plan = await planAuditQuery(database.db, { action: `${ns}done`, actor: token }, { all: true });
  expect(plan.index).toBe("audit_event_action_idx");
  const explained = await database.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${auditPageSql(plan, undefined, 51)}`);
  expect(explained.some((row) => row.detail.includes("TEMP B-TREE"))).toBe(false);
  expect(await allAuditPages(personas.owner.caller, { action: `${ns}done`, actor: token })).toEqual(expected);
});

test("search finds text in the action, the target or the details, case-insensitively", async () => {
  const ns = uniqueActionPrefix();
  const word = `needle${randomUUID().slice(0, 6)}`;
  const inDetails = await addEvent({ action: `${ns}a`, at: atSecond(1), details: { reason: `Found the ${word.toUpperCase()} here` } });
  const inTarget = await addEvent({ action: `${ns}b`, at: atSecond(2), targetType: "client", targetId: `client-${word}` });
  const inAction = await addEvent({ action: `${ns}${word}`, at: atSecond(3) });
  await addEvent({ action: `${ns}c`, at: atSecond(4), details: { reason: "nothing to see" } });
  expect(await allAuditPages(personas.owner.caller, { action: ns, search: word })).toEqual([inAction, inTarget, inDetails]);
});

test("a search reads a bounded window per page; its cursor goes on below the window until every match is found", async () => {
  const ns = uniqueActionPrefix();
  const word = `rare${randomUUID().slice(0, 6)}`;
  const matches: string[] = [];
  for (let n = 0; n < 9; n += 1) {
    const id = await addEvent({ action: `${ns}event`, at: atSecond(100 + n), details: n % 4 === 0 ? { note: word } : {} });
    if (n % 4 === 0) matches.unshift(id);
  }
  const plan = await planAuditQuery(database.db, { action: `${ns}event`, search: word }, { all: true });
  const found: string[] = [];
  const windows: Date[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await readAuditPage(database.db, plan, cursor, 10, NEWEST_FIRST, 3);
    found.push(...page.items.map((row) => row.id));
    if (page.searchedTo) windows.push(page.searchedTo);
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor);
  expect(found).toEqual(matches);
  // Nine rows, three per window: three pages; the first two say how far back they looked, the last
  // reaches the end.
  expect(pages).toBe(3);
  expect(windows).toEqual([atSecond(106), atSecond(103)]);
});

test("result tells failures (failure actions, MCP calls that failed) from successes, in the filter and on each row", async () => {
  const target = `target-${randomUUID()}`;
  const ok = await addEvent({ action: "auth.sign_in", at: atSecond(1), targetType: "user", targetId: target });
  const failed = await addEvent({ action: "auth.sign_in_failed", at: atSecond(2), targetType: "user", targetId: target });
  const denied = await addEvent({ action: "oauth.consent_denied", at: atSecond(3), targetType: "user", targetId: target });
  const mcpOk = await addEvent({ action: "mcp.tool_called", at: atSecond(4), targetType: "user", targetId: target, details: { outcome: "ok" } });
  const mcpRefused = await addEvent({
    action: "mcp.tool_called",
    at: atSecond(5),
    targetType: "user",
    targetId: target,
    details: { outcome: "FORBIDDEN" },
  });
  const owner = personas.owner.caller;
  expect(await allAuditPages(owner, { targetId: target, result: "failure" })).toEqual([mcpRefused, denied, failed]);
  expect(await allAuditPages(owner, { targetId: target, result: "success" })).toEqual([mcpOk, ok]);
  const rows = (await owner.audit.list({ targetId: target })).items;
  expect(Object.fromEntries(rows.map((row) => [row.id, row.result]))).toEqual({
    [ok]: "success",
    [failed]: "failure",
    [denied]: "failure",
    [mcpOk]: "success",
    [mcpRefused]: "failure",
  });
});

test("result=failure alone reads only the actions that can record a failure", async () => {
  const plan = await planAuditQuery(database.db, { result: "failure" }, { all: true });
  expect(plan.index).toBe("audit_event_action_idx");
  expect(plan.arms.length).toBeGreaterThan(0);
  const explained = await database.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${auditPageSql(plan, undefined, 51)}`);
  expect(explained.some((row) => row.detail.includes("TEMP B-TREE"))).toBe(false);
});

test("clientId keeps the events that came through that client", async () => {
  const ns = uniqueActionPrefix();
  const clientId = `client-${randomUUID()}`;
  const through = await addEvent({ action: `${ns}call`, at: atSecond(1), clientId });
  await addEvent({ action: `${ns}call`, at: atSecond(2), clientId: `other-${randomUUID()}` });
  await addEvent({ action: `${ns}call`, at: atSecond(3) });
  expect(await allAuditPages(personas.owner.caller, { action: ns, clientId })).toEqual([through]);
});

test("get names the actor, the target and the client of an event, for links to them", async () => {
  const client = await personas.owner.caller.clients.create({
    name: "Linked app",
    type: "confidential",
    redirectUris: ["https://linked.example/callback"],
    scopes: ["openid"],
  });
  const clientId = client.client.clientId;
  const id = await addEvent({
    action: "mcp.tool_called",
    at: atSecond(1),
    actorUserId: personas.admin.userId,
    clientId,
    targetType: "user",
    targetId: personas.member.userId,
    details: { outcome: "ok" },
  });
  expect(await personas.owner.caller.audit.get({ id })).toMatchObject({
    id,
    actorUserId: personas.admin.userId,
    actorEmail: personas.admin.email,
    clientId,
    clientName: "Linked app",
    targetType: "user",
    targetId: personas.member.userId,
    targetName: personas.member.email,
    result: "success",
  });
  const clientEvent = await addEvent({ action: "client.updated", at: atSecond(2), targetType: "client", targetId: clientId });
  expect(await personas.owner.caller.audit.get({ id: clientEvent })).toMatchObject({ targetName: "Linked app", clientName: null });
  const gone = await addEvent({ action: "role.deleted", at: atSecond(3), targetType: "role", targetId: "role_that_is_gone" });
  expect(await personas.owner.caller.audit.get({ id: gone })).toMatchObject({ targetName: null });
});

test("bad search inputs are clear 400s", async () => {
  const owner = personas.owner.caller;
  for (const input of [{ result: "partly" }, { actor: "x".repeat(101) }, { search: "x".repeat(101) }, { clientId: "" }]) {
    const error = await rejection(owner.audit.list(input as AuditFilter));
    expect({ input, code: error.code }).toEqual({ input, code: "BAD_REQUEST" });
  }
});
