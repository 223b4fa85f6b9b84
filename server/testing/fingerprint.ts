import { createHash } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";

/**
 * Tables a refused call may still write: the audit log (refusals are recorded) and the counters
 * behind rate limits and lockouts.
 */
const BOOKKEEPING_TABLES = new Set(["audit_event", "rate_limit", "attempt_limit", "__drizzle_migrations"]);

/** Runs one read-only statement and returns its rows; a drizzle database or a raw libSQL client can serve it. */
export type RowReader = (statement: string) => Promise<unknown[]>;

/**
 * A digest of every row of every table but the bookkeeping ones: equal digests before and after a
 * call mean the call changed nothing that matters. Relative imports only: the operations specs load
 * this without the `@/` alias.
 */
export async function databaseFingerprint(read: RowReader): Promise<string> {
  const tables = (await read("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")) as { name: string }[];
  const digest = createHash("sha256");
  for (const { name } of tables) {
    if (BOOKKEEPING_TABLES.has(name)) continue;
    digest.update(name).update(JSON.stringify(await read(`select * from "${name}" order by rowid`)));
  }
  return digest.digest("hex");
}

/** The reader of a drizzle database. */
export function drizzleRows(db: { all<T = unknown>(query: SQL): Promise<T[]> }): RowReader {
  return (statement) => db.all(sql.raw(statement));
}
