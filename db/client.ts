import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client, type InStatement } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
// The embedded driver @libsql/client opens its connections with (a dependency of it, not ours to
// configure otherwise): see `hookEmbeddedConnections`.
import LibsqlConnection from "libsql";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = LibSQLDatabase<Schema>;
/** The handle a resolver writes through: the database itself or an open transaction. */
export type Executor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DatabaseHandle {
  client: Client;
  db: Database;
}

/**
 * How long one statement waits on a lock held by another connection before SQLITE_BUSY. The
 * embedded driver waits synchronously (the event loop stalls), so this stays short and the waiting
 * beyond it happens in `BUSY_RETRY_BUDGET_MS` of asynchronous backoff.
 */
const BUSY_TIMEOUT_MS = 1000;
/** How long a write keeps retrying SQLITE_BUSY before giving up with `DatabaseBusyError`. */
const BUSY_RETRY_BUDGET_MS = 10_000;
const BUSY_BACKOFF_FIRST_MS = 25;
const BUSY_BACKOFF_MAX_MS = 1000;
/** What a caller is told to wait before trying again once the budget is spent. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

export interface DatabaseOptions {
  authToken?: string;
  busyTimeoutMs?: number;
  busyRetryBudgetMs?: number;
}

/**
 * The database stayed locked by another connection for the whole retry budget. Nothing of the
 * write was kept (a lone statement fails whole, a transaction rolls back); the request may be
 * repeated, which the HTTP layers say with 503 and `Retry-After`.
 */
export class DatabaseBusyError extends Error {
  readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;

  constructor(cause: unknown) {
    super("The database is busy; try again shortly.", { cause });
    this.name = "DatabaseBusyError";
  }
}

const BUSY_MESSAGE = /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked/i;

/** SQLITE_BUSY / SQLITE_LOCKED (and their extended codes), however deep drizzle wrapped them. */
export function isBusyError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof DatabaseBusyError) return false;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
    if (typeof message === "string" && BUSY_MESSAGE.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Whether the error, or one it wraps, is a spent busy budget. */
export function databaseBusyErrorOf(error: unknown): DatabaseBusyError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof DatabaseBusyError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Handlers whose library turns every thrown error into a plain 500 (better-auth) run inside
 * `observeDatabaseBusy`, which tells them afterwards whether a write gave up on a busy database.
 */
const busyObservation = new AsyncLocalStorage<{ busy: DatabaseBusyError | undefined }>();

export async function observeDatabaseBusy<T>(work: () => Promise<T>): Promise<{ value: T; busy: DatabaseBusyError | undefined }> {
  const observation: { busy: DatabaseBusyError | undefined } = { busy: undefined };
  const value = await busyObservation.run(observation, work);
  return { value, busy: observation.busy };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` again while it fails with SQLITE_BUSY, backing off, until `budgetMs` has passed.
 * `afterBusy` runs after every busy failure, before the next attempt or the final error.
 */
export async function retryWhileBusy<T>(work: () => Promise<T>, budgetMs: number, afterBusy: () => Promise<void> = async () => undefined): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      await afterBusy();
      const backoff = Math.min(BUSY_BACKOFF_MAX_MS, BUSY_BACKOFF_FIRST_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      if (Date.now() + backoff >= deadline) {
        const busy = new DatabaseBusyError(error);
        const observation = busyObservation.getStore();
        if (observation) observation.busy = busy;
        throw busy;
      }
      await sleep(backoff);
    }
  }
}

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
function serializeWrites(
  client: Client,
  busyRetryBudgetMs: number,
  afterBusy: () => Promise<void>,
): { client: Client; runTransaction: <T>(work: () => Promise<T>) => Promise<T> } {
  const lock = new WriteLock();
  const holder = new AsyncLocalStorage<true>();
  // Only the outermost unit retries: a statement that hit SQLITE_BUSY inside a transaction may have
  // lost its snapshot, so the whole transaction (rolled back by then) is what runs again.
  const queued = <T>(work: () => Promise<T>) =>
    holder.getStore() ? work() : lock.run(() => holder.run(true, () => retryWhileBusy(work, busyRetryBudgetMs, afterBusy)));
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

const relaxed = new WeakSet<object>();
const HOOKED = Symbol.for("gatehouse.libsqlPrepareHook");

/** How many prepared statements one embedded connection keeps for reuse, least recently used out first. */
export const STATEMENT_CACHE_SIZE = 256;

interface CachedStatement {
  all(...parameters: unknown[]): unknown[];
  iterate(...parameters: unknown[]): Iterable<unknown>;
  run(...parameters: unknown[]): unknown;
  get(...parameters: unknown[]): unknown;
}

const statementCaches = new WeakMap<object, Map<string, CachedStatement>>();

/**
 * Preparing a statement costs about as much as running a small one (the revocation-and-enrolment
 * check takes 0.17 ms to prepare), and @libsql/client prepares every statement it runs afresh. So each
 * embedded connection keeps its last `STATEMENT_CACHE_SIZE` statements by SQL text. A statement is
 * only ever reused on the connection that prepared it (@libsql/client opens new connections after a
 * transaction; each starts with an empty cache, and a closed one's cache goes with it).
 *
 * A cached statement is only handed out again in a state a fresh one would have:
 * - `all`, `run` and `get` run it to the end (or one row and reset, for `get`), so it holds nothing.
 * - An iterator read halfway would keep the connection's read snapshot open until the statement is
 *   reset, and its caller could go on reading after someone else re-ran it, so `iterate` takes the
 *   statement out of the cache: it is the caller's alone, as without a cache.
 * - A statement that threw (a constraint, SQLITE_BUSY, an interrupt) leaves the cache too: the driver
 *   may leave it un-reset (libsql-client-ts #352), and a fresh one costs little after a failure.
 */
function cacheStatement(connection: object, sql: string, statement: CachedStatement): CachedStatement {
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  const evict = () => {
    if (cache.get(sql) === statement) cache.delete(sql);
  };
  let draining = false;
  const { all, iterate, run, get } = statement;
  const guarded =
    <A extends unknown[], R>(method: (...parameters: A) => R) =>
    (...parameters: A): R => {
      try {
        return method.apply(statement, parameters);
      } catch (error) {
        evict();
        throw error;
      }
    };
  statement.iterate = (...parameters: unknown[]) => {
    if (!draining) evict();
    return iterate.apply(statement, parameters);
  };
  // `all` reads through `iterate` to the last row, which leaves the statement reusable.
  statement.all = guarded((...parameters: unknown[]) => {
    draining = true;
    try {
      return all.apply(statement, parameters);
    } finally {
      draining = false;
    }
  });
  statement.run = guarded(run);
  statement.get = guarded(get);
  if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(sql, statement);
  return statement;
}

function cachedStatement(connection: object, sql: string): CachedStatement | undefined {
  const cache = statementCaches.get(connection);
  const statement = cache?.get(sql);
  if (!cache || !statement) return undefined;
  // Most recently used last, so the oldest entry is the one evicted.
  cache.delete(sql);
  cache.set(sql, statement);
  return statement;
}

/**
 * Every embedded connection to a WAL database runs with `synchronous = NORMAL`: a commit appends to
 * the WAL without an fsync of its own (checkpoints still sync). The embedded driver runs statements
 * synchronously, so under the default FULL every lone write and every COMMIT stalled the event loop
 * for an fsync, five of them per refresh grant. NORMAL in WAL mode cannot corrupt the database;
 * a power cut (not a crash of the process) may lose the last commits before a checkpoint.
 *
 * `synchronous` is a setting of the connection, not the file, and @libsql/client opens its pooled
 * connections itself without a hook, so it is set on each connection before the first statement it
 * prepares. Other databases (in-memory, rollback journal) keep their settings.
 *
 * The same hook keeps each connection's prepared statements for reuse: see `cacheStatement`.
 */
function hookEmbeddedConnections(): void {
  const prototype = LibsqlConnection.prototype as { prepare: (sql: string) => unknown; [HOOKED]?: true };
  if (prototype[HOOKED]) return;
  const prepare = prototype.prepare;
  prototype.prepare = function (this: object, sql: string) {
    if (!relaxed.has(this)) {
      relaxed.add(this);
      try {
        const statement = prepare.call(this, "PRAGMA journal_mode") as { get(): { journal_mode?: unknown } | undefined };
        if (statement.get()?.journal_mode === "wal") (prepare.call(this, "PRAGMA synchronous = NORMAL") as { run(): unknown }).run();
      } catch {
        // The connection keeps SQLite's default (FULL): slower commits, nothing less safe.
      }
    }
    return cachedStatement(this, sql) ?? cacheStatement(this, sql, prepare.call(this, sql) as CachedStatement);
  };
  prototype[HOOKED] = true;
}

export function createDatabase(url: string, options: string | DatabaseOptions = {}): DatabaseHandle {
  const { authToken, busyTimeoutMs = BUSY_TIMEOUT_MS, busyRetryBudgetMs = BUSY_RETRY_BUDGET_MS } =
    typeof options === "string" ? { authToken: options } : options;
  const filePath = filePathOf(url);
  if (filePath) hookEmbeddedConnections();
  if (filePath) mkdirSync(path.dirname(filePath), { recursive: true });
  const rawClient = createClient({
    url: filePath ? `file:${filePath}` : url,
    authToken,
    timeout: busyTimeoutMs,
  });
  // The embedded driver leaves a statement that failed with SQLITE_BUSY un-reset on its connection, and
  // every later COMMIT there fails with "SQL statements in progress" (libsql-client-ts #352). Reopening
  // the connections drops it. That is safe at the start of a macrotask with the write lock held:
  // every transaction takes that lock, and a lone statement holds its connection only from the
  // borrow to the end of the microtasks that follow it.
  const afterBusy = filePath
    ? () => new Promise<void>((resolve) => setImmediate(() => resolve(rawClient.reconnect())))
    : async () => undefined;
  const { client, runTransaction } = serializeWrites(rawClient, busyRetryBudgetMs, afterBusy);
  const db = drizzle(client, { schema, casing: "snake_case" });
  const transaction = db.transaction.bind(db);
  db.transaction = ((work, config) => runTransaction(() => transaction(work, config))) as Database["transaction"];
  return { client, db };
}

/** WAL lets readers proceed during a write; the mode is stored in the file, so once is enough. */
export async function configureDatabase(handle: DatabaseHandle, url: string): Promise<void> {
  if (filePathOf(url)) await handle.client.execute("PRAGMA journal_mode = WAL");
}
