/**
 * Checks that every audit.list filter combination reads through an index in (at, id) order, with no
 * temporary B-tree for ORDER BY, and times its first and a later page.
 * Standalone: `npx tsx bench/audit-plans.ts --url file:./data/bench.db` (a seed-large database).
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { createDatabase, type Database } from "@/db/client";
import { auditEvent, domain } from "@/db/schema";
import type { AuditFilter } from "@/server/audit/inputs";
import { auditPageSql, planAuditQuery, readAuditPage, type AuditKey, type AuditScope } from "@/server/audit/plan";

export interface PlanCheck {
  label: string;
  index: string;
  arms: number;
  plan: string[];
  sorts: boolean;
  firstPageMs: number;
  laterPageMs: number;
}

interface Sample {
  actorUserId: string;
  targetType: string;
  targetId: string;
  domainIds: string[];
  from: Date;
  to: Date;
}

async function sample(db: Database): Promise<Sample> {
  const [busiest] = await db
    .select({ actorUserId: auditEvent.actorUserId })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "role.assigned"), isNotNull(auditEvent.actorUserId)))
    .orderBy(desc(auditEvent.at))
    .limit(1);
  const [target] = await db
    .select({ targetId: auditEvent.targetId })
    .from(auditEvent)
    .where(and(eq(auditEvent.targetType, "user"), isNotNull(auditEvent.targetId)))
    .orderBy(desc(auditEvent.at))
    .limit(1);
  const domains = await db.select({ id: domain.id }).from(domain).orderBy(domain.slug).limit(3);
  const [newest] = await db.select({ at: sql<number>`max(${auditEvent.at})` }).from(auditEvent);
  const end = newest?.at ?? Date.now();
  return {
    actorUserId: busiest?.actorUserId ?? "missing-actor",
    targetType: "user",
    targetId: target?.targetId ?? "missing-target",
    domainIds: domains.map((row) => row.id),
    from: new Date(end - 37 * 86_400_000),
    to: new Date(end - 30 * 86_400_000),
  };
}

/** Every combination of the list's filters, with each scope a caller can have. */
export function filterCombinations(values: Sample): { label: string; filter: AuditFilter; scope: AuditScope }[] {
  const scopes: { label: string; scope: AuditScope }[] = [
    { label: "global", scope: { all: true } },
    { label: "1 domain", scope: { all: false, domainIds: values.domainIds.slice(0, 1) } },
    { label: `${values.domainIds.length} domains`, scope: { all: false, domainIds: values.domainIds } },
  ];
  const actions: [string, Partial<AuditFilter>][] = [["", {}], ["action", { action: "role.assigned" }], ["prefix", { action: "role." }]];
  const targets: [string, Partial<AuditFilter>][] = [
    ["", {}],
    ["type", { targetType: values.targetType }],
    ["targetId", { targetId: values.targetId }],
    ["type+id", { targetType: values.targetType, targetId: values.targetId }],
  ];
  const combos: { label: string; filter: AuditFilter; scope: AuditScope }[] = [];
  for (const { label: scopeLabel, scope } of scopes) {
    for (const actor of [false, true]) {
      for (const [actionLabel, action] of actions) {
        for (const [targetLabel, target] of targets) {
          for (const withDomain of [false, true]) {
            for (const withTime of [false, true]) {
              const filter: AuditFilter = {
                ...(actor ? { actorUserId: values.actorUserId } : {}),
                ...action,
                ...target,
                ...(withDomain ? { domainId: values.domainIds[0] } : {}),
                ...(withTime ? { from: values.from, to: values.to } : {}),
              };
              const parts = [actor && "actor", actionLabel, targetLabel, withDomain && "domain", withTime && "time"].filter(Boolean);
              combos.push({ label: `${scopeLabel}: ${parts.join(" + ") || "no filter"}`, filter, scope });
            }
          }
        }
      }
    }
  }
  // The console's searches, each alone and with a time range: a common and a rare text each, and
  // the result and client filters (the busiest seeded MCP client, and one no event names).
  const searches: [string, Partial<AuditFilter>][] = [
    ["actor text (common)", { actor: "ada" }],
    ["actor text (rare)", { actor: "no-such-person" }],
    ["search (common)", { search: "sign_in" }],
    ["search (absent)", { search: "no-such-text-anywhere" }],
    ["result failure", { result: "failure" }],
    ["result success", { result: "success" }],
    ["client", { clientId: "mcp-client-claude" }],
    ["client (absent)", { clientId: "no-such-client" }],
  ];
  for (const { label: scopeLabel, scope } of scopes) {
    for (const [searchLabel, search] of searches) {
      for (const withTime of [false, true]) {
        const filter: AuditFilter = { ...search, ...(withTime ? { from: values.from, to: values.to } : {}) };
        combos.push({ label: `${scopeLabel}: ${searchLabel}${withTime ? " + time" : ""}`, filter, scope });
      }
    }
  }
  return combos;
}

export async function explainPlan(db: Database, filter: AuditFilter, scope: AuditScope, after?: AuditKey) {
  const plan = await planAuditQuery(db, filter, scope);
  const rows = await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${auditPageSql(plan, after, 51)}`);
  const details = rows.map((row) => row.detail);
  return { plan, details, sorts: details.some((detail) => detail.includes("TEMP B-TREE")) };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

export async function checkAuditPlans(db: Database): Promise<PlanCheck[]> {
  const values = await sample(db);
  const checks: PlanCheck[] = [];
  for (const { label, filter, scope } of filterCombinations(values)) {
    const { plan, details, sorts } = await explainPlan(db, filter, scope, { at: Date.now(), id: "" });
    const [first, firstPageMs] = await timed(() => readAuditPage(db, plan, undefined, 50));
    let laterPageMs = 0;
    if (first.nextCursor) {
      let cursor: string | null = first.nextCursor;
      for (let page = 0; page < 4 && cursor; page += 1) cursor = (await readAuditPage(db, plan, cursor, 50)).nextCursor;
      if (cursor) laterPageMs = (await timed(() => readAuditPage(db, plan, cursor ?? undefined, 50)))[1];
    }
    checks.push({ label, index: plan.index, arms: plan.arms.length, plan: details, sorts, firstPageMs, laterPageMs });
  }
  return checks;
}

export function printPlanChecks(checks: PlanCheck[]): void {
  const slowest = [...checks].sort((a, b) => b.firstPageMs - a.firstPageMs).slice(0, 10);
  const sorting = checks.filter((check) => check.sorts);
  console.info(`audit.list query plans: ${checks.length} filter combinations, ${sorting.length} with a temp B-tree.`);
  for (const check of sorting) console.info(`  SORTS: ${check.label}: ${check.plan.join(" | ")}`);
  const byIndex = new Map<string, number>();
  for (const check of checks) byIndex.set(check.index, (byIndex.get(check.index) ?? 0) + 1);
  console.info(`  driving index: ${[...byIndex].map(([index, n]) => `${index} ×${n}`).join(", ")}`);
  console.info("  slowest first pages (ms, then a page 5 pages in):");
  for (const check of slowest) {
    console.info(`    ${check.firstPageMs.toFixed(2).padStart(8)} ${check.laterPageMs.toFixed(2).padStart(8)}  ${check.label}  [${check.index} × ${check.arms}]`);
  }
}

async function main() {
  const { values } = parseArgs({ options: { url: { type: "string" }, verbose: { type: "boolean", default: false } } });
  if (!values.url) throw new Error("Pass --url file:path/to/seeded.db");
  const { db, client } = createDatabase(values.url);
  try {
    const checks = await checkAuditPlans(db);
    if (values.verbose) for (const check of checks) console.info(`${check.label}\n  ${check.plan.join("\n  ")}`);
    printPlanChecks(checks);
    if (checks.some((check) => check.sorts)) process.exitCode = 1;
  } finally {
    client.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
