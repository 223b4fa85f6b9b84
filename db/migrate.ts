import path from "node:path";
import { migrate } from "drizzle-orm/libsql/migrator";
import { configureDatabase, type DatabaseHandle } from "./client";

export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

export async function migrateDatabase(handle: DatabaseHandle, url: string): Promise<void> {
  await configureDatabase(handle, url);
  await migrate(handle.db, { migrationsFolder });
}
