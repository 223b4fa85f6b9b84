import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { expect, test } from "vitest";
import { auditHourlyCount, userSignIn } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import { authTestBed, signUp, uniqueEmail } from "@/server/testing/auth";
import { migrationsFolder } from "./migrate";

const bed = authTestBed({ owner: true });

/** The migration that fills the dashboard's counts and the last sign-ins from the audit history of an older install. */
function backfillStatements(): string[] {
  const backfill = readMigrationFiles({ migrationsFolder }).find((migration) => migration.sql.some((statement) => statement.includes("INSERT INTO `audit_hourly_count`")));
  if (!backfill) throw new Error("No migration fills audit_hourly_count from the audit log.");
  return backfill.sql.map((statement) => statement.trim()).filter(Boolean);
}

const SYSTEM: AuditActor = { userId: null, via: "system", ip: null, userAgent: null };

test("the backfill migration rebuilds from the audit log exactly the counts and last sign-ins the recorder keeps", async () => {
  const { db } = bed.database;
  const ann = await signUp(bed.auth, uniqueEmail("backfill-ann"));
  const bob = await signUp(bed.auth, uniqueEmail("backfill-bob"));
  await recordAuthEvent(db, { action: "auth.sign_in", userId: ann.userId, headers: new Headers() });
  await recordAuthEvent(db, { action: "auth.sign_in", userId: bob.userId, headers: new Headers() });
  await recordAuthEvent(db, { action: "auth.sign_in", userId: ann.userId, headers: new Headers() });
  await recordAuthEvent(db, { action: "auth.sign_in_failed", userId: null, headers: new Headers(), details: { email: "nobody@example.com" } });
  const hourAgo = new Date(Date.now() - 3_600_000);
  await recordEvent(db, { ...SYSTEM, via: "mcp" }, { action: "mcp.tool_called", details: { tool: "whoami", outcome: "ok" } }, hourAgo);
  await recordEvent(db, { ...SYSTEM, via: "mcp" }, { action: "mcp.tool_called", details: { tool: "ban_user", outcome: "forbidden" } }, hourAgo);
  await recordEvent(db, SYSTEM, { action: "user.updated", targetType: "user", targetId: randomUUID() });

  const countsOf = () =>
    db.select().from(auditHourlyCount).orderBy(auditHourlyCount.action, auditHourlyCount.hour, auditHourlyCount.domainId, auditHourlyCount.outcome);
  const signInsOf = () => db.select().from(userSignIn).orderBy(userSignIn.userId);
  const recorded = { counts: await countsOf(), signIns: await signInsOf() };
  expect(recorded.counts.map((count) => `${count.action} ${count.outcome}`)).toEqual(
    expect.arrayContaining(["auth.sign_in success", "auth.sign_in_failed failure", "mcp.tool_called success", "mcp.tool_called failure"]),
  );
  expect(recorded.signIns.map((signIn) => signIn.userId)).toEqual(expect.arrayContaining([ann.userId, bob.userId]));

  // An install from before the counts existed: the history is there, the derived tables are empty.
  await db.delete(auditHourlyCount);
  await db.delete(userSignIn);
  for (const statement of backfillStatements()) await db.run(sql.raw(statement));

  expect({ counts: await countsOf(), signIns: await signInsOf() }).toEqual(recorded);
});

/** The migration that gives every user a user_sign_in row (0 until a sign-in) and keeps it so. */
function signInRowStatements(): string[] {
  const migration = readMigrationFiles({ migrationsFolder }).find((candidate) =>
    candidate.sql.some((statement) => statement.includes("CREATE TRIGGER `user_sign_in_on_user_insert`")),
  );
  if (!migration) throw new Error("No migration adds the user_sign_in trigger.");
  return migration.sql.map((statement) => statement.trim()).filter(Boolean);
}

test("every user has a last sign-in row: 0 from the trigger for a new account, filled for existing ones without touching real sign-ins", async () => {
  const { db } = bed.database;
  const carol = await signUp(bed.auth, uniqueEmail("backfill-carol"));
  const dave = await signUp(bed.auth, uniqueEmail("backfill-dave"));
  const rowOf = async (userId: string) => (await db.select().from(userSignIn).where(sql`${userSignIn.userId} = ${userId}`))[0];
  const signedIn = await rowOf(carol.userId);
  expect(signedIn?.lastSignInAt.getTime()).toBeGreaterThan(0);

  // A user written without better-auth (as the seed script and imports do) gets its row from the trigger.
  const id = randomUUID();
  await db.run(sql`insert into user (id, name, email, email_verified, created_at, updated_at) values (${id}, 'Raw', ${uniqueEmail("raw")}, 0, 0, 0)`);
  expect((await rowOf(id))?.lastSignInAt.getTime()).toBe(0);

  // An install from before the migration: some users have no row. The backfill adds 0 for them only.
  await db.run(sql`delete from user_sign_in where user_id in (${id}, ${dave.userId})`);
  const [, backfill] = signInRowStatements();
  await db.run(sql.raw(backfill!));
  expect((await rowOf(id))?.lastSignInAt.getTime()).toBe(0);
  expect((await rowOf(dave.userId))?.lastSignInAt.getTime()).toBe(0);
  expect(await rowOf(carol.userId)).toEqual(signedIn);
  const [missing] = await db.all<{ total: number }>(sql`select count(*) as total from user where id not in (select user_id from user_sign_in)`);
  expect(missing?.total).toBe(0);
});
