import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client, type InStatement } from "@libsql/client";
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

/** A FIFO async mutex: each holder runs after the previous one settles. */
class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const WRITE_STATEMENT = /^\s*(insert|update|delete|replace|create|drop|alter)\b/i;

function isWrite(statement: InStatement): boolean {
  return WRITE_STATEMENT.test(typeof statement === "string" ? statement : statement.sql);
}

/**
 * The embedded driver waits for SQLite's write lock synchronously, blocking the event loop, so a
 * second writer in this process would stall the transaction it waits for until the busy timeout.
 * Writes are therefore queued in-process: a transaction holds the lock from BEGIN to COMMIT, and a
 * lone write statement takes it for its own duration. Statements issued from inside the holder's
 * async context skip the queue, since queueing them behind themselves would never finish.
 */
function serializeWrites(client: Client): { client: Client; runTransaction: <T>(work: () => Promise<T>) => Promise<T> } {
  const lock = new WriteLock();
  const holder = new AsyncLocalStorage<true>();
  const queued = <T>(work: () => Promise<T>) => (holder.getStore() ? work() : lock.run(() => holder.run(true, work)));
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      if (property === "execute") {
        return (statement: InStatement, ...rest: unknown[]) =>
          isWrite(statement)
            ? queued(() => (target.execute as (...args: unknown[]) => Promise<unknown>)(statement, ...rest))
            : (target.execute as (...args: unknown[]) => Promise<unknown>)(statement, ...rest);
      }
      if (property === "batch") {
        return (statements: InStatement[], ...rest: unknown[]) =>
          queued(() => (target.batch as (...args: unknown[]) => Promise<unknown>)(statements, ...rest));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { client: wrapped, runTransaction: queued };
}

export function createDatabase(url: string, authToken?: string): DatabaseHandle {
  const filePath = filePathOf(url);
  if (filePath) mkdirSync(path.dirname(filePath), { recursive: true });
  const rawClient = createClient({
    url: filePath ? `file:${filePath}` : url,
    authToken,
    timeout: BUSY_TIMEOUT_MS,
  });
  const { client, runTransaction } = serializeWrites(rawClient);
  const db = drizzle(client, { schema, casing: "snake_case" });
  const transaction = db.transaction.bind(db);
  db.transaction = ((work, config) => runTransaction(() => transaction(work, config))) as Database["transaction"];
  return { client, db };
}

/** WAL lets readers proceed during a write; the mode is stored in the file, so once is enough. */
export async function configureDatabase(handle: DatabaseHandle, url: string): Promise<void> {
  if (filePathOf(url)) await handle.client.execute("PRAGMA journal_mode = WAL");
}
