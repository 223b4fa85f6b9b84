/**
 * Times every sorted and filtered variant of users.list and sessions.list the console offers, and the
 * dashboard's reads, in-process against a seed-large database, with the plan of each variant's
 * slowest statement. audit.list has its own walk (bench/audit-plans.ts).
 * Standalone: `npx tsx bench/list-timings.ts --url file:./data/bench.db [--only users]`.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { InStatement } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import { createDatabase, type Database } from "@/db/client";
import * as schema from "@/db/schema";
import { ADMIN_ROLE_ID, DOMAIN_ADMIN_ROLE_ID, domain, roleAssignment } from "@/db/schema";
import { loadAuthority, type Authority } from "@/server/authz/authority";
import { activeSessionCount, activity, grantsByClient, mfaCoverage, recentlyRegisteredClients, securityEvents } from "@/server/dashboard/queries";
import { SORT_DIRECTIONS } from "@/server/paging";
import { listSessions } from "@/server/sessions/queries";
import { SESSION_SORTS } from "@/server/sessions/inputs";
import { USER_SORTS } from "@/server/users/inputs";
import { listUsers } from "@/server/users/queries";

interface Statement {
  sql: string;
  args: unknown;
  ms: number;
}

export interface Timing {
  label: string;
  p50: number;
  p95: number;
  runs: number;
  slowest: { ms: number; plan: string[]; sql: string };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

async function main() {
  const { values } = parseArgs({ options: { url: { type: "string" }, only: { type: "string" }, runs: { type: "string", default: "15" } } });
  if (!values.url) throw new Error("Pass --url file:path/to/seeded.db");
  const handle = createDatabase(values.url);
  const { client } = handle;
  // Every statement of the variant being timed, to find and explain its slowest: the queries run
  // through a proxy of the client that times each execute (reads only; the walk writes nothing).
  let recorded: Statement[] = [];
  const execute = (statement: InStatement) => client.execute(statement);
  const timedClient = new Proxy(client, {
    get(target, property, receiver) {
      if (property !== "execute") return Reflect.get(target, property, receiver) as unknown;
      return async (statement: InStatement) => {
        const started = performance.now();
        try {
          return await execute(statement);
        } finally {
          const text = typeof statement === "string" ? statement : statement.sql;
          recorded.push({ sql: text, args: typeof statement === "string" ? [] : statement.args, ms: performance.now() - started });
        }
      };
    },
  });
  const db: Database = drizzle(timedClient, { schema, casing: "snake_case" });
  const runsWanted = Number(values.runs);

  async function time(label: string, work: () => Promise<unknown>): Promise<Timing> {
    const samples: number[] = [];
    let slowestStatement: Statement | undefined;
    const budgetEnds = performance.now() + 4000;
    for (let run = 0; run < runsWanted + 1; run += 1) {
      recorded = [];
      const started = performance.now();
      await work();
      const ms = performance.now() - started;
      if (run > 0) samples.push(ms); // the first run warms the page cache
      for (const statement of recorded) if (!slowestStatement || statement.ms > slowestStatement.ms) slowestStatement = statement;
      if (run > 2 && performance.now() > budgetEnds) break;
    }
    recorded = [];
    samples.sort((a, b) => a - b);
    let plan: string[] = [];
    if (slowestStatement) {
      const rows = await execute({ sql: `EXPLAIN QUERY PLAN ${slowestStatement.sql}`, args: slowestStatement.args as never });
      plan = rows.rows.map((row) => String(row.detail));
    }
    const timing = {
      label,
      p50: percentile(samples, 0.5),
      p95: percentile(samples, 0.95),
      runs: samples.length,
      slowest: { ms: slowestStatement?.ms ?? 0, plan, sql: slowestStatement?.sql ?? "" },
    };
    const scans = plan.filter((line) => /^SCAN|TEMP B-TREE/.test(line.trim()));
    console.info(
      `${timing.p50.toFixed(1).padStart(8)} ${timing.p95.toFixed(1).padStart(8)}  ${label}  [slowest stmt ${timing.slowest.ms.toFixed(1)} ms${scans.length ? `: ${scans.join(" | ")}` : ""}]`,
    );
    return timing;
  }

  const admin = await firstHolder(db, ADMIN_ROLE_ID, null);
  const domainAdmin = await firstHolder(db, DOMAIN_ADMIN_ROLE_ID, "any");
  const domains = await db.select({ id: domain.id, slug: domain.slug }).from(domain).orderBy(asc(domain.createdAt));
  const sizes = await db
    .select({ domainId: roleAssignment.domainId, members: sql<number>`count(*)` })
    .from(roleAssignment)
    .where(sql`${roleAssignment.domainId} is not null`)
    .groupBy(roleAssignment.domainId)
    .orderBy(desc(sql`count(*)`));
  const bigDomain = sizes[0]?.domainId ?? domains[0]!.id;
  const smallDomain = sizes.at(-1)?.domainId ?? domains[0]!.id;
  const callers: [string, string, Authority][] = [
    ["global", admin, await loadAuthority(db, admin)],
    ["domain admin", domainAdmin, await loadAuthority(db, domainAdmin)],
  ];
  console.info(`     p50      p95  variant (ms, ${runsWanted} runs or 4 s each after one warm-up)`);

  if (!values.only || values.only === "users") {
    const filters: [string, Record<string, unknown>][] = [
      ["", {}],
      ["search common", { search: "lovelace" }],
      ["search absent", { search: "no-such-person" }],
      ["big domain", { domainId: bigDomain }],
      ["small domain", { domainId: smallDomain }],
      ["role domain_admin", { roleId: DOMAIN_ADMIN_ROLE_ID }],
      ["mfa missing", { mfa: "missing" }],
    ];
    for (const [scopeLabel, callerId, authority] of callers) {
      for (const [filterLabel, filter] of filters) {
        if (scopeLabel !== "global" && filterLabel.endsWith("domain")) continue;
        for (const by of USER_SORTS) {
          for (const direction of SORT_DIRECTIONS) {
            const input = { limit: 50, sort: { by, direction }, ...filter } as Parameters<typeof listUsers>[3];
            const first = await listUsers(db, authority, callerId, input);
            await time(`users ${scopeLabel}: ${filterLabel || "no filter"} by ${by} ${direction}`, () => listUsers(db, authority, callerId, input));
            if (first.nextCursor) {
              const later = { ...input, cursor: first.nextCursor };
              await time(`users ${scopeLabel}: ${filterLabel || "no filter"} by ${by} ${direction}, page 2`, () =>
                listUsers(db, authority, callerId, later),
              );
            }
          }
        }
      }
    }
  }

  if (!values.only || values.only === "sessions") {
    for (const [scopeLabel, , authority] of callers) {
      for (const by of SESSION_SORTS) {
        for (const direction of SORT_DIRECTIONS) {
          const input = { limit: 50, sort: { by, direction } } as Parameters<typeof listSessions>[2];
          const first = await listSessions(db, authority, input, "none");
          await time(`sessions ${scopeLabel}: by ${by} ${direction}`, () => listSessions(db, authority, input, "none"));
          if (first.nextCursor) {
            await time(`sessions ${scopeLabel}: by ${by} ${direction}, page 2`, () =>
              listSessions(db, authority, { ...input, cursor: first.nextCursor! }, "none"),
            );
          }
        }
      }
    }
  }

  if (!values.only || values.only === "dashboard") {
    for (const [scopeLabel, , authority] of callers) {
      const audit = authority.scopeOf("audit:read");
      const tokens = authority.scopeOf("tokens:read");
      for (const range of ["24h", "7d", "30d"] as const) await time(`dashboard ${scopeLabel}: activity ${range}`, () => activity(db, audit, range));
      await time(`dashboard ${scopeLabel}: security events`, () => securityEvents(db, audit, 10));
      await time(`dashboard ${scopeLabel}: active sessions`, () => activeSessionCount(db, tokens));
      await time(`dashboard ${scopeLabel}: grants by client`, () => grantsByClient(db, tokens, 5));
      await time(`dashboard ${scopeLabel}: MFA coverage`, () => mfaCoverage(db, authority.scopeOf("users:read")));
      await time(`dashboard ${scopeLabel}: registered clients`, () => recentlyRegisteredClients(db, authority.scopeOf("clients:read"), 5));
    }
  }
  client.close();
}

/** A user holding `roleId` globally (null) or in some domain ("any"). */
async function firstHolder(db: Database, roleId: string, where: null | "any"): Promise<string> {
  const [row] = await db
    .select({ userId: roleAssignment.userId })
    .from(roleAssignment)
    .where(and(eq(roleAssignment.roleId, roleId), where === null ? isNull(roleAssignment.domainId) : sql`${roleAssignment.domainId} is not null`))
    .limit(1);
  if (!row) throw new Error(`No holder of ${roleId} in the database; seed it with scripts/seed-large.ts.`);
  return row.userId;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error, (error as { cause?: unknown }).cause);
    process.exit(1);
  });
}
