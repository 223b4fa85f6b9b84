import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import LibsqlConnection from "libsql";
import { createDatabase, STATEMENT_CACHE_SIZE, type DatabaseHandle } from "@/db/client";
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

/** A bare embedded connection to the test file, prepared through the same hook the client's connections use. */
function bareConnection() {
  const file = database.url.slice("file:".length);
  return new LibsqlConnection(file) as unknown as {
    prepare(sql: string): { all(...p: unknown[]): unknown[]; run(...p: unknown[]): unknown; iterate(...p: unknown[]): Iterator<unknown> };
    exec(sql: string): void;
    close(): void;
  };
}

test("a connection reuses its prepared statements, at most STATEMENT_CACHE_SIZE of them, least recently used out first", () => {
  createDatabase(database.url).client.close(); // installs the hook, as the server does at start
  const connection = bareConnection();
  const other = bareConnection();
  try {
    const first = connection.prepare("SELECT value FROM counter WHERE id = ?");
    expect(connection.prepare("SELECT value FROM counter WHERE id = ?")).toBe(first);
    // Never across connections.
    expect(other.prepare("SELECT value FROM counter WHERE id = ?")).not.toBe(first);
    const oldest = connection.prepare("SELECT 0");
    for (let i = 1; i < STATEMENT_CACHE_SIZE; i += 1) {
      connection.prepare(`SELECT ${i}`);
      if (i % 16 === 0) connection.prepare("SELECT value FROM counter WHERE id = ?"); // kept in use
    }
    connection.prepare("SELECT 'one more than fits'");
    expect(connection.prepare("SELECT value FROM counter WHERE id = ?")).toBe(first);
    expect(connection.prepare("SELECT 0")).not.toBe(oldest);
  } finally {
    connection.close();
    other.close();
  }
});

test("a statement that failed on a constraint leaves the cache, and the connection's next transaction commits", () => {
  createDatabase(database.url).client.close();
  const connection = bareConnection();
  try {
    const insert = "INSERT INTO counter (id, value) VALUES (?, 0)";
    connection.exec("BEGIN");
    const failing = connection.prepare(insert);
    expect(() => failing.run(1)).toThrow(/UNIQUE|PRIMARY KEY|constraint/i);
    const fresh = connection.prepare(insert);
    expect(fresh).not.toBe(failing);
    fresh.run(900);
    connection.exec("COMMIT");
    expect(connection.prepare("SELECT id FROM counter WHERE id = ?").all(900)).toEqual([{ id: 900 }]);
    connection.prepare("DELETE FROM counter WHERE id = ?").run(900);
  } finally {
    connection.close();
  }
});

test("an iterator read halfway keeps its statement to itself, and the connection's snapshot does not stick", async () => {
  createDatabase(database.url).client.close();
  const connection = bareConnection();
  const writer = createDatabase(database.url);
  try {
    // More rows than the driver fetches at once (100), so the iterator stops inside the result.
    await writer.db.run(sql`WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 1299) INSERT INTO counter (id, value) SELECT i, i FROM n`);
    const query = "SELECT id FROM counter WHERE id >= ? ORDER BY id";
    const halfRead = connection.prepare(query);
    const rows = halfRead.iterate(1000);
    expect(rows.next().value).toEqual({ id: 1000 });
    // Handed out again, it would be re-run under the iterator (and stay un-reset once dropped).
    const next = connection.prepare(query);
    expect(next).not.toBe(halfRead);
    expect(next.all(1290)).toHaveLength(10);
    expect(rows.next().value).toEqual({ id: 1001 });
    let rest = 0;
    while (!rows.next().done) rest += 1;
    expect(rest).toBe(298);

    // Statements that ran to the end are reused, and each run sees the latest commit of another connection.
    const count = "SELECT count(*) AS count FROM counter WHERE id >= 1000";
    const before = connection.prepare(count).all();
    await writer.db.run(sql`DELETE FROM counter WHERE id >= 1000`);
    expect(before).toEqual([{ count: 300 }]);
    expect(connection.prepare(count).all()).toEqual([{ count: 0 }]);
  } finally {
    connection.close();
    writer.client.close();
  }
});

test("through the client, a reused statement sees every commit, inside and outside transactions and on the connections opened after one", async () => {
  const reader = createDatabase(database.url);
  const writer = createDatabase(database.url);
  try {
    const read = async () => Number((await reader.client.execute("SELECT value FROM counter WHERE id = 1")).rows[0]![0]);
    const start = await read();
    for (let round = 1; round <= 3; round += 1) {
      await writer.db.run(sql`UPDATE counter SET value = value + 1 WHERE id = 1`);
      expect(await read()).toBe(start + round * 2 - 1);
      await reader.db.transaction(async (tx) => {
        await tx.run(sql`UPDATE counter SET value = value + 1 WHERE id = 1`);
        expect((await tx.all<{ value: number }>(sql`SELECT value FROM counter WHERE id = 1`))[0]!.value).toBe(start + round * 2);
      });
      expect(await read()).toBe(start + round * 2);
    }
    // A failed transaction (a constraint) rolls back and leaves the next ones working.
    await expect(reader.db.transaction(async (tx) => tx.run(sql`INSERT INTO counter (id, value) VALUES (1, 0)`))).rejects.toThrow();
    await reader.db.transaction(async (tx) => tx.run(sql`UPDATE counter SET value = value - 6 WHERE id = 1`));
    expect(await read()).toBe(start);
  } finally {
    reader.client.close();
    writer.client.close();
  }
});
