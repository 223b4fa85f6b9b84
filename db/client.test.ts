import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.run(sql`CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)`);
  await database.db.run(sql`INSERT INTO counter (id, value) VALUES (1, 0)`);
});

afterAll(() => database.destroy());

async function value(): Promise<number> {
  const rows = await database.db.all<{ value: number }>(sql`SELECT value FROM counter WHERE id = 1`);
  return rows[0]!.value;
}

test("overlapping write transactions in one process all commit, one after another", async () => {
  const before = await value();
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () =>
      database.db.transaction(async (tx) => {
        const [row] = await tx.all<{ value: number }>(sql`SELECT value FROM counter WHERE id = 1`);
        // Yielding inside the transaction is what let a second writer block the event loop before.
        await new Promise((resolve) => setTimeout(resolve, 5));
        await tx.run(sql`UPDATE counter SET value = ${row!.value + 1} WHERE id = 1`);
      }),
    ),
  );
  expect(results.filter((result) => result.status === "rejected")).toEqual([]);
  expect(await value()).toBe(before + 20);
});

test("lone writes interleaved with transactions neither fail nor lose updates", async () => {
  const before = await value();
  await Promise.all([
    ...Array.from({ length: 10 }, () =>
      database.db.transaction(async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        await tx.run(sql`UPDATE counter SET value = value + 1 WHERE id = 1`);
      }),
    ),
    ...Array.from({ length: 10 }, () => database.db.run(sql`UPDATE counter SET value = value + 1 WHERE id = 1`)),
  ]);
  expect(await value()).toBe(before + 20);
});

test("a failed transaction releases the queue for the next one", async () => {
  await expect(
    database.db.transaction(async () => {
      throw new Error("rolled back");
    }),
  ).rejects.toThrow("rolled back");
  await database.db.transaction(async (tx) => {
    await tx.run(sql`UPDATE counter SET value = value WHERE id = 1`);
  });
});

test("connections to a WAL database commit without an fsync each (synchronous NORMAL); other files keep FULL", async () => {
  // A handle opened on the migrated (WAL) file, as the server opens it after `npm start` migrated it.
  const wal = createDatabase(database.url);
  const rollbackDir = mkdtempSync(path.join(tmpdir(), "gatehouse-sync-"));
  const rollback = createDatabase(`file:${path.join(rollbackDir, "plain.db")}`);
  try {
    const synchronousOf = async (handle: DatabaseHandle) => (await handle.client.execute("PRAGMA synchronous")).rows[0]![0];
    // SQLite's codes: 1 is NORMAL, 2 is FULL.
    expect(await synchronousOf(wal)).toBe(1);
    expect(await wal.db.transaction(async (tx) => (await tx.all<{ synchronous: number }>(sql`PRAGMA synchronous`))[0]!.synchronous)).toBe(1);
    expect(await synchronousOf(rollback)).toBe(2);
  } finally {
    wal.client.close();
    rollback.client.close();
    rmSync(rollbackDir, { recursive: true, force: true });
  }
});
