import { eq, isNull, sql } from "drizzle-orm";
import { afterEach, beforeEach, expect, test } from "vitest";
import { MEMBER_ROLE_ID, auditEvent, roleAssignment, user } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { createSignedInOwner, createTestAuth, signIn } from "@/server/testing/auth";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { SEED_EMAIL_DOMAIN, SEED_PASSWORD, SeedRefused, seedLarge } from "./seed-large";

let database: TestDatabase;
let auth: Auth;

beforeEach(async () => {
  database = await createTestDatabase();
  auth = await createTestAuth(database.db);
  await createSignedInOwner(database.db, auth);
});

afterEach(() => database.destroy());

/** Before any real clock this test runs on, so the seeded events are apart from the owner's own. */
const NOW = new Date("2020-06-01T00:00:00.000Z");
const SPAN_START = NOW.getTime() - 90 * 86_400_000;

async function seed(options: { users: number; events: number; force?: boolean }) {
  const context = await auth.$context;
  return seedLarge(
    { db: database.db, hashPassword: (password) => context.password.hash(password) },
    { force: false, now: NOW, ...options },
  );
}

test("seeds accounts that sign in, global members, domains and events over the last 90 days", async () => {
  const counts = await seed({ users: 200, events: 3000 });
  expect(counts).toMatchObject({ users: 201, accounts: 201, domains: 20 });
  expect(counts.auditEvents).toBeGreaterThanOrEqual(3000);

  await expect(signIn(auth, `user000042@${SEED_EMAIL_DOMAIN}`, SEED_PASSWORD)).resolves.toHaveProperty("cookie");

  const [withoutMember] = await database.db
    .select({ count: sql<number>`count(*)` })
    .from(user)
    .where(
      sql`${user.email} LIKE ${`%@${SEED_EMAIL_DOMAIN}`} AND NOT EXISTS (SELECT 1 FROM ${roleAssignment} WHERE ${roleAssignment.userId} = ${user.id} AND ${roleAssignment.roleId} = ${MEMBER_ROLE_ID} AND ${roleAssignment.domainId} IS NULL)`,
    );
  expect(withoutMember?.count).toBe(0);
  const [inDomains] = await database.db
    .select({ count: sql<number>`count(DISTINCT ${roleAssignment.userId})` })
    .from(roleAssignment)
    .where(sql`${roleAssignment.domainId} IS NOT NULL`);
  expect(inDomains?.count).toBeGreaterThan(60);

  const [window] = await database.db
    .select({
      before: sql<number>`sum(${auditEvent.at} < ${SPAN_START})`,
      within: sql<number>`sum(${auditEvent.at} BETWEEN ${SPAN_START} AND ${NOW.getTime()})`,
    })
    .from(auditEvent);
  expect(window).toEqual({ before: 0, within: 3000 });
  const actions = await database.db.selectDistinct({ action: auditEvent.action }).from(auditEvent);
  expect(actions.length).toBeGreaterThan(15);
  const unattributed = await database.db.$count(auditEvent, isNull(auditEvent.actorUserId));
  expect(unattributed).toBeLessThan(counts.auditEvents);

  // The dashboard's hourly counts cover the seeded events exactly, per action, hour and domain.
  const mismatched = await database.db.all(sql`
    select e.action, e.hour, e.domain_id, e.total, c.total as counted from (
      select action, (at / 3600000) * 3600000 as hour, coalesce(domain_id, '') as domain_id, count(*) as total
      from audit_event where action in ('auth.sign_in', 'auth.sign_in_failed', 'mcp.tool_called') and at <= ${NOW.getTime()}
      group by 1, 2, 3
    ) e left join (
      select action, hour, domain_id, sum(count) as total from audit_hourly_count group by 1, 2, 3
    ) c using (action, hour, domain_id)
    where c.total is not e.total`);
  expect(mismatched).toEqual([]);
  const [counted] = await database.db.all<{ total: number }>(sql`select sum(count) as total from audit_hourly_count where hour <= ${NOW.getTime()}`);
  expect(counted?.total).toBeGreaterThan(1000);
});

test("refuses a database that already has more than 1000 users unless forced, then adds after the last seeded email", async () => {
  await seed({ users: 1001, events: 10 });
  await expect(seed({ users: 10, events: 10 })).rejects.toBeInstanceOf(SeedRefused);
  const counts = await seed({ users: 10, events: 10, force: true });
  expect(counts).toMatchObject({ users: 1012, domains: 20 });
  const [added] = await database.db.select().from(user).where(eq(user.email, `user001011@${SEED_EMAIL_DOMAIN}`));
  expect(added).toBeDefined();
});
