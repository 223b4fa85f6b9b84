import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = LibSQLDatabase<Schema>;
/** The handle a resolver writes through: the database itself or an open transaction. */
export type Executor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DatabaseHandle {
  client: Client;
  db: Database;
}

/** How long a connection waits on a lock held by another before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export function isFileUrl(url: string): boolean {
  return url.startsWith("file:");
}

/** Resolves `file:./relative.db` against the working directory; other URLs pass through. */
export function filePathOf(url: string): string | undefined {
  if (!isFileUrl(url)) return undefined;
  const rest = url.slice("file:".length).split("?")[0] ?? "";
  if (rest === ":memory:") return undefined;
  return rest.startsWith("//") ? fileURLToPath(url) : path.resolve(/*turbopackIgnore: true*/ rest);
}

export function createDatabase(url: string, authToken?: string): DatabaseHandle {
  const filePath = filePathOf(url);
  if (filePath) mkdirSync(path.dirname(filePath), { recursive: true });
  const client = createClient({
    url: filePath ? `file:${filePath}` : url,
    authToken,
    timeout: BUSY_TIMEOUT_MS,
  });
  const db = drizzle(client, { schema, casing: "snake_case" });
  return { client, db };
}

/** WAL lets readers proceed during a write; the mode is stored in the file, so once is enough. */
export async function configureDatabase(handle: DatabaseHandle, url: string): Promise<void> {
  if (filePathOf(url)) await handle.client.execute("PRAGMA journal_mode = WAL");
}
