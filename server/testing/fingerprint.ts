import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";

/**
 * Tables a refused call may still write: the audit log (refusals are recorded) and the counters
 * behind rate limits and lockouts.
 */
const BOOKKEEPING_TABLES = new Set(["audit_event", "rate_limit", "attempt_limit", "__drizzle_migrations"]);

/**
 * A digest of every row of every table but the bookkeeping ones: equal digests before and after a
 * call mean the call changed nothing that matters.
 */
export async function databaseFingerprint(db: Database): Promise<string> {
  const tables = await db.all<{ name: string }>(
    sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`,
  );
  const digest = createHash("sha256");
  for (const { name } of tables) {
    if (BOOKKEEPING_TABLES.has(name)) continue;
    const rows = await db.all(sql.raw(`select * from "${name}" order by rowid`));
    digest.update(name).update(JSON.stringify(rows));
  }
  return digest.digest("hex");
}
