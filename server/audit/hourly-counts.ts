import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditHourlyCount } from "@/db/schema";

/**
 * The audit actions the dashboard charts, by series. Only these are counted in audit_hourly_count:
 * one small upsert beside each of their audit rows, none for any other event.
 */
export const COUNTED_ACTIONS = {
  signIns: ["auth.sign_in", "auth.sign_in_failed"],
  mcpCalls: ["mcp.tool_called", "mcp.resource_read", "mcp.prompt_got"],
} as const;

export type CountedSeries = keyof typeof COUNTED_ACTIONS;

const COUNTED = new Set<string>(Object.values(COUNTED_ACTIONS).flat());

export const HOUR_MS = 60 * 60 * 1000;

export type Outcome = "success" | "failure";

/** The start of the UTC hour `at` falls in. */
export function hourOf(at: Date | number): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * Whether a counted event succeeded: a failed sign-in is its own action; an MCP call records its
 * outcome ("ok", or the refusal's code) in its details.
 */
export function outcomeOf(action: string, details: Record<string, unknown> | undefined): Outcome | null {
  if (!COUNTED.has(action)) return null;
  if (action === "auth.sign_in_failed") return "failure";
  if (action.startsWith("mcp.")) return details?.outcome === "ok" ? "success" : "failure";
  return "success";
}

export interface CountedEvent {
  action: string;
  at: Date;
  domainId: string | null;
  details?: Record<string, unknown>;
}

/** One bucket of counts: what `addHourlyCounts` writes and the seed script fills. */
export interface HourlyCount {
  action: string;
  hour: Date;
  domainId: string;
  outcome: Outcome;
  count: number;
}

/** Groups events into their hourly buckets, dropping those the dashboard does not count. */
export function hourlyCountsOf(events: readonly CountedEvent[]): HourlyCount[] {
  const buckets = new Map<string, HourlyCount>();
  for (const event of events) {
    const outcome = outcomeOf(event.action, event.details);
    if (outcome === null) continue;
    const hour = hourOf(event.at);
    const domainId = event.domainId ?? "";
    const key = `${event.action}\u0000${hour}\u0000${domainId}\u0000${outcome}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.count += 1;
    else buckets.set(key, { action: event.action, hour: new Date(hour), domainId, outcome, count: 1 });
  }
  return [...buckets.values()];
}

/**
 * The statement adding counts (at least one) to their buckets; run it in the transaction (or
 * batch) that writes the events counted.
 */
export function addHourlyCounts(tx: Executor, counts: readonly [HourlyCount, ...HourlyCount[]]) {
  return tx
    .insert(auditHourlyCount)
    .values([...counts])
    .onConflictDoUpdate({
      target: [auditHourlyCount.action, auditHourlyCount.hour, auditHourlyCount.domainId, auditHourlyCount.outcome],
      set: { count: sql`${auditHourlyCount.count} + excluded.count` },
    });
}
