import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate } from "drizzle-orm/libsql/migrator";
import { configureDatabase, type DatabaseHandle } from "./client";

export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/** The newest migration applied, or null before the first; drizzle's own ledger table. */
async function lastAppliedMigration(handle: DatabaseHandle): Promise<number | null> {
  try {
    const rows = await handle.db.all<{ last: number | null }>(sql`SELECT max(created_at) AS last FROM __drizzle_migrations`);
    return rows[0]?.last ?? null;
  } catch {
    return null;
  }
}

/**
 * drizzle's migrator reads which migrations are applied before it opens the transaction that applies
 * the rest. When several instances start at once against one database, all but the first then apply
 * the same migrations again and fail ("table already exists"); the batch rolls back whole, so nothing
 * is half-applied. A failure that comes with a ledger moved on by someone else is therefore retried,
 * and the retry finds nothing left to do. Any other failure is the migration's own and is thrown.
 */
export async function migrateDatabase(handle: DatabaseHandle, url: string): Promise<void> {
  await configureDatabase(handle, url);
  for (;;) {
    const before = await lastAppliedMigration(handle);
    try {
      await migrate(handle.db, { migrationsFolder });
      return;
    } catch (error) {
      const after = await lastAppliedMigration(handle);
      if (after === null || after === before) throw error;
    }
  }
}
