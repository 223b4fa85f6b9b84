import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DOMAIN_ADMIN_ROLE_ID, MEMBER_ROLE_ID, auditHourlyCount, clientRegistration, oauthClient, role, user } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import { auditPageSql } from "@/server/audit/plan";
import type { Auth } from "@/server/auth/auth";
import { authRequest, signIn } from "@/server/testing/auth";
import { createDomain, createMember, createPersona, grantRole, openPersonaTestBed, type Personas } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { rejection } from "@/server/testing/outcome";
import { activity, activityQuery, bucketStarts, securityEventsPlan } from "./queries";

let database: TestDatabase;
let auth: Auth;
let personas: Personas;

beforeAll(async () => ({ database, auth, personas } = await openPersonaTestBed()));

afterAll(() => database.destroy());

const ACTOR: AuditActor = { userId: null, via: "web", ip: "192.0.2.1", userAgent: "vitest" };

function record(action: string, at: Date, domainId: string | null, details: Record<string, unknown> = {}) {
  return recordEvent(database.db, ACTOR, { action, targetType: "user", targetId: randomUUID(), domainId, details }, at);
}

/** A fixed "now" in the past, so the events of the personas' own sign-ins (stamped today) stay out of the buckets. */
const NOW = new Date("2020-01-10T12:30:00Z");
const HOUR = 3_600_000;

describe("activity series, from the hourly counts recordEvent keeps", () => {
  let domainX: string;
  let domainY: string;

  beforeAll(async () => {
    domainX = (await createDomain(database.db)).id;
    domainY = (await createDomain(database.db)).id;
    // 24 h runs from 13:00 the day before to the current partial hour (12:00–12:30).
    await record("auth.sign_in", new Date("2020-01-09T12:59:59.999Z"), domainX); // one hour too old for 24 h
    await record("auth.sign_in", new Date("2020-01-09T13:00:00Z"), domainX);
    await record("auth.sign_in", new Date("2020-01-10T12:10:00Z"), domainX);
    await record("auth.sign_in", new Date("2020-01-10T12:20:00Z"), domainY);
    await record("auth.sign_in_failed", new Date("2020-01-10T07:15:00Z"), domainX);
    await record("auth.sign_in_failed", new Date("2020-01-10T07:45:00Z"), null);
    await record("mcp.tool_called", new Date("2020-01-10T12:00:00Z"), domainX, { outcome: "ok" });
    await record("mcp.resource_read", new Date("2020-01-10T12:01:00Z"), domainY, { outcome: "ok" });
    await record("mcp.prompt_got", new Date("2020-01-10T12:02:00Z"), domainX, { outcome: "FORBIDDEN" });
    // Eight days back: inside 30 days only.
    await record("auth.sign_in", new Date("2020-01-02T09:00:00Z"), domainX);
    // Not counted at all: the rollup keeps only what the dashboard charts.
    await record("user.updated", new Date("2020-01-10T12:05:00Z"), domainX);
  });

  test("24 hours: 24 hourly buckets, zero-filled, each event in its hour, by outcome", async () => {
    const result = await activity(database.db, { all: true }, "24h", NOW);
    expect(result.bucket).toBe("hour");
    expect(result.points).toHaveLength(24);
    expect(result.points[0]!.start).toEqual(new Date("2020-01-09T13:00:00Z"));
    expect(result.points[23]!.start).toEqual(new Date("2020-01-10T12:00:00Z"));
    expect(result.totals).toEqual({ signIns: 3, signInFailures: 2, mcpCalls: 2, mcpFailures: 1 });
    expect(result.points[0]).toMatchObject({ signIns: 1, signInFailures: 0 });
    expect(result.points[18]).toMatchObject({ start: new Date("2020-01-10T07:00:00Z"), signInFailures: 2 });
    expect(result.points[23]).toMatchObject({ signIns: 2, mcpCalls: 2, mcpFailures: 1 });
    const empty = result.points.filter((_, index) => ![0, 18, 23].includes(index));
    expect(empty.every((point) => point.signIns + point.signInFailures + point.mcpCalls + point.mcpFailures === 0)).toBe(true);
  });

  test("7 and 30 days: daily UTC buckets ending today", async () => {
    const week = await activity(database.db, { all: true }, "7d", NOW);
    expect(week.bucket).toBe("day");
    expect(week.points).toHaveLength(7);
    expect(week.points[6]!.start).toEqual(new Date("2020-01-10T00:00:00Z"));
    expect(week.points[5]).toMatchObject({ start: new Date("2020-01-09T00:00:00Z"), signIns: 2 });
    expect(week.points[6]).toMatchObject({ signIns: 2, signInFailures: 2, mcpCalls: 2, mcpFailures: 1 });
    expect(week.totals.signIns).toBe(4);

    const month = await activity(database.db, { all: true }, "30d", NOW);
    expect(month.points).toHaveLength(30);
    expect(month.points[0]!.start).toEqual(new Date("2019-12-12T00:00:00Z"));
    expect(month.points.find((point) => point.start.getTime() === Date.parse("2020-01-02T00:00:00Z"))?.signIns).toBe(1);
    expect(month.totals.signIns).toBe(5);
  });

  test("a reader of some domains counts only their events; one of none counts nothing", async () => {
    expect((await activity(database.db, { all: false, domainIds: [domainX] }, "24h", NOW)).totals).toEqual({
      signIns: 2,
      signInFailures: 1,
      mcpCalls: 1,
      mcpFailures: 1,
    });
    expect((await activity(database.db, { all: false, domainIds: [domainY] }, "24h", NOW)).totals).toEqual({
      signIns: 1,
      signInFailures: 0,
      mcpCalls: 1,
      mcpFailures: 0,
    });
    expect((await activity(database.db, { all: false, domainIds: [] }, "30d", NOW)).totals.signIns).toBe(0);
  });

  test("the hourly counts add up to the audit rows they stand for", async () => {
    const [counted] = await database.db
      .select({ total: sql<number>`sum(${auditHourlyCount.count})` })
      .from(auditHourlyCount)
      .where(eq(auditHourlyCount.action, "auth.sign_in"));
    const [rows] = await database.db.all<{ total: number }>(sql`select count(*) as total from audit_event where action = 'auth.sign_in'`);
    expect(counted?.total).toBe(rows?.total);
  });

  test("bucket starts are aligned on the hour and on the UTC day", () => {
    expect(bucketStarts("24h", NOW).every((start) => start % HOUR === 0)).toBe(true);
    expect(bucketStarts("30d", NOW).every((start) => start % (24 * HOUR) === 0)).toBe(true);
  });
});

describe("through the router, as each persona", () => {
  test("real sign-ins are counted under the account's domain: a domain admin sees their domain's, not another's", async () => {
    const inA = await createMember({ db: database.db, auth }, personas.domainA.id, "dash-a");
    const inB = await createMember({ db: database.db, auth }, personas.domainB.id, "dash-b");
    const before = {
      owner: (await personas.owner.caller.dashboard.activity({ range: "24h" })).totals,
      domainAdmin: (await personas.domainAdminA.caller.dashboard.activity({ range: "24h" })).totals,
    };
    await signIn(auth, inA.email);
    await signIn(auth, inB.email);
    await signIn(auth, inB.email);
    const failed = await authRequest(auth, "/sign-in/email", { body: { email: inB.email, password: "not the password at all" } });
    expect(failed.ok).toBe(false);

    const owner = (await personas.owner.caller.dashboard.activity({ range: "24h" })).totals;
    const domainAdmin = (await personas.domainAdminA.caller.dashboard.activity({ range: "24h" })).totals;
    expect(owner.signIns - before.owner.signIns).toBe(3);
    expect(owner.signInFailures - before.owner.signInFailures).toBe(1);
    expect(domainAdmin.signIns - before.domainAdmin.signIns).toBe(1);
    expect(domainAdmin.signInFailures - before.domainAdmin.signInFailures).toBe(0);
  });

  test("security events: newest first, only the reader's domains, with the actor's name", async () => {
    const now = Date.now();
    const actor: AuditActor = { ...ACTOR, userId: personas.owner.userId };
    await recordEvent(database.db, actor, { action: "session.revoked", targetType: "session", targetId: "s-a", domainId: personas.domainA.id }, new Date(now + 2000));
    await recordEvent(database.db, actor, { action: "oauth.refresh_token_reused", targetType: "client", targetId: "c-b", domainId: personas.domainB.id }, new Date(now + 3000));
    await recordEvent(database.db, actor, { action: "user.updated", targetType: "user", targetId: "u-a", domainId: personas.domainA.id }, new Date(now + 4000));

    const owner = await personas.owner.caller.dashboard.securityEvents({ limit: 2 });
    expect(owner.map((event) => event.action)).toEqual(["oauth.refresh_token_reused", "session.revoked"]);
    expect(owner[0]!.actorEmail).toBe(personas.owner.email);
    const domainAdmin = await personas.domainAdminA.caller.dashboard.securityEvents({ limit: 10 });
    expect(domainAdmin[0]).toMatchObject({ action: "session.revoked", targetId: "s-a" });
    expect(domainAdmin.every((event) => event.domainId === personas.domainA.id)).toBe(true);
  });

  test("MFA coverage counts who must have a second factor, and users.list mfa=missing lists the rest, in scope", async () => {
    const strict = { id: `role_${randomUUID()}`, name: `strict-${randomUUID().slice(0, 8)}`, requiresMfa: true };
    await database.db.insert(role).values(strict);
    const enrolledA = await createMember({ db: database.db, auth }, personas.domainA.id, "mfa-on");
    const missingA = await createMember({ db: database.db, auth }, personas.domainA.id, "mfa-off");
    const missingB = await createMember({ db: database.db, auth }, personas.domainB.id, "mfa-off-b");
    for (const [member, domainId] of [
      [enrolledA, personas.domainA.id],
      [missingA, personas.domainA.id],
      [missingB, personas.domainB.id],
    ] as const) {
      await grantRole(database.db, member.userId, strict.id, domainId);
    }
    await database.db.update(user).set({ twoFactorEnabled: true }).where(eq(user.id, enrolledA.userId));

    const domainAdmin = await personas.domainAdminA.caller.dashboard.mfaCoverage();
    expect(domainAdmin).toEqual({ required: 2, enrolled: 1, missing: 1 });
    const listed = await personas.domainAdminA.caller.users.list({ mfa: "missing" });
    expect(listed.items.map((item) => item.id)).toEqual([missingA.userId]);

    const owner = await personas.owner.caller.dashboard.mfaCoverage();
    const ownerMissing = await personas.owner.caller.users.list({ mfa: "missing", limit: 100 });
    expect(ownerMissing.items.map((item) => item.id)).toEqual(expect.arrayContaining([missingA.userId, missingB.userId]));
    expect(ownerMissing.items.map((item) => item.id)).not.toContain(enrolledA.userId);
    expect(owner.missing).toBe(ownerMissing.items.length);
    expect(await rejection(personas.owner.caller.users.list({ mfa: "all" as never }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  test("sessions and grants, and self-registered clients, are counted within the reader's reach", async () => {
    const owner = await personas.owner.caller.dashboard.access();
    const domainAdmin = await personas.domainAdminA.caller.dashboard.access();
    expect(owner.activeSessions).toBeGreaterThan(domainAdmin.activeSessions);
    expect(domainAdmin.activeSessions).toBeGreaterThan(0);

    const clientId = `dyn-${randomUUID()}`;
    await database.db.insert(oauthClient).values({ id: randomUUID(), clientId, name: "Self-registered app", redirectUris: ["https://app.example/cb"] });
    await database.db.insert(clientRegistration).values({ clientId, origin: "dynamic" });
    expect((await personas.owner.caller.dashboard.registeredClients()).items.map((item) => item.clientId)).toContain(clientId);
    expect(await personas.domainAdminA.caller.dashboard.registeredClients()).toEqual({ items: [], total: 0 });
  });

  test("a caller who may read none of a section is refused it", async () => {
    expect(await rejection(personas.member.caller.dashboard.activity({ range: "24h" }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await rejection(personas.member.caller.dashboard.access())).toMatchObject({ code: "FORBIDDEN" });
    expect(await rejection(personas.member.caller.dashboard.mfaCoverage())).toMatchObject({ code: "FORBIDDEN" });
    expect(await rejection(personas.owner.caller.dashboard.activity({ range: "1y" as never }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  test("a second domain admin, of B, sees B's sign-ins and not A's", async () => {
    const adminB = await createPersona({ db: database.db, auth }, DOMAIN_ADMIN_ROLE_ID, personas.domainB.id, "domain-admin-b");
    const inA = await createMember({ db: database.db, auth }, personas.domainA.id, "dash-a2");
    const before = (await adminB.caller.dashboard.activity({ range: "7d" })).totals.signIns;
    await signIn(auth, inA.email);
    expect((await adminB.caller.dashboard.activity({ range: "7d" })).totals.signIns).toBe(before);
    // In two domains, an account's events are filed under neither (as in the audit log): only global readers count them.
    await grantRole(database.db, inA.userId, MEMBER_ROLE_ID, personas.domainB.id);
    await signIn(auth, inA.email);
    expect((await adminB.caller.dashboard.activity({ range: "7d" })).totals.signIns).toBe(before);
  });
});

describe("query plans: every read goes through an index, none scans the audit log", () => {
  async function explain(query: { getSQL(): ReturnType<typeof sql> } | ReturnType<typeof sql>): Promise<string[]> {
    const statement = "getSQL" in query ? query.getSQL() : query;
    return (await database.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${statement}`)).map((row) => row.detail);
  }

  test("the activity series reads the hourly counts by index, globally and per domain", async () => {
    for (const scope of [{ all: true as const }, { all: false as const, domainIds: [personas.domainA.id, personas.domainB.id] }]) {
      const details = await explain(activityQuery(database.db, scope, "30d", NOW));
      const reads = details.filter((detail) => /^(SEARCH|SCAN) /.test(detail));
      expect(reads.length, details.join(" | ")).toBeGreaterThan(0);
      for (const read of reads) expect(read, details.join(" | ")).toMatch(/^SEARCH audit_hourly_count USING (COVERING )?INDEX/);
      expect(details.some((detail) => /audit_event/.test(detail))).toBe(false);
    }
  });

  test("security events merge index-ordered streams of the audit log, with no sort and no full scan", async () => {
    for (const scope of [{ all: true as const }, { all: false as const, domainIds: [personas.domainA.id] }]) {
      const plan = securityEventsPlan(scope);
      const details = await explain(auditPageSql(plan, undefined, 10));
      const reads = details.filter((detail) => /^(SEARCH|SCAN) audit_event/.test(detail));
      expect(reads.length, details.join(" | ")).toBe(plan.arms.length);
      for (const read of reads) expect(read).toMatch(/^SEARCH audit_event USING (COVERING )?INDEX audit_event_\w+_idx/);
      expect(details.some((detail) => detail.includes("TEMP B-TREE")), details.join(" | ")).toBe(false);
    }
  });
});
