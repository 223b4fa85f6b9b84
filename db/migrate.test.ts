import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { afterEach, expect, test } from "vitest";
import { createDatabase, type DatabaseHandle } from "./client";
import { migrateDatabase, migrationsFolder } from "./migrate";

const opened: DatabaseHandle[] = [];
let dir: string | undefined;

afterEach(() => {
  for (const handle of opened.splice(0)) handle.client.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

test("instances starting at once against one fresh database all migrate it, and each migration runs once", async () => {
  dir = mkdtempSync(path.join(tmpdir(), "gatehouse-migrate-"));
  const url = `file:${path.join(dir, "shared.db")}`;
  // Separate connections, as separate processes have: none waits for another in-process.
  opened.push(...Array.from({ length: 3 }, () => createDatabase(url)));

  const results = await Promise.allSettled(opened.map((handle) => migrateDatabase(handle, url)));

  expect(results.filter((result) => result.status === "rejected")).toEqual([]);
  const applied = await opened[0]!.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM __drizzle_migrations`);
  expect(applied[0]!.n).toBe(readMigrationFiles({ migrationsFolder }).length);
});

test("a migration that fails on its own is reported, not retried forever", async () => {
  dir = mkdtempSync(path.join(tmpdir(), "gatehouse-migrate-"));
  const url = `file:${path.join(dir, "broken.db")}`;
  const handle = createDatabase(url);
  opened.push(handle);
  // A table the first migration creates, made beforehand outside drizzle's ledger.
  await handle.db.run(sql`CREATE TABLE account (id TEXT PRIMARY KEY)`);

  await expect(migrateDatabase(handle, url)).rejects.toThrow();
});
