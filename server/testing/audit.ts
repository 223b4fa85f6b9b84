import { randomUUID } from "node:crypto";
import type { Executor } from "@/db/client";
import type { AuditFilter } from "@/server/audit/inputs";
import { recordEvent } from "@/server/audit/record";
import type { Caller } from "@/server/testing/authz";

/** A fixed instant, and seconds after it, so tests place events in order without waiting. */
export const BASE = Date.UTC(2026, 0, 1);
export const atSecond = (n: number) => new Date(BASE + n * 1000);

let prefixSequence = 0;

/** An action prefix no other test uses, so that filtering on it isolates one test's events. */
export function uniqueActionPrefix(): string {
  prefixSequence += 1;
  return `t${prefixSequence}${randomUUID().slice(0, 6)}.`;
}

/** One audit event a test places: what happened, when, and whatever else it is about. */
export interface TestEvent {
  action: string;
  at: Date;
  actorUserId?: string | null;
  /** The OAuth client it came through: the event is then an MCP call, else a console one. */
  clientId?: string | null;
  domainId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string;
  userAgent?: string;
  details?: Record<string, unknown>;
}

/** Records `event` as recordEvent would for a real request, and answers its id. */
export function addAuditEvent(db: Executor, event: TestEvent): Promise<string> {
  const { action, at, actorUserId, clientId, domainId, targetType, targetId, ip, userAgent, details } = event;
  return recordEvent(
    db,
    { userId: actorUserId ?? null, via: clientId ? "mcp" : "web", clientId: clientId ?? null, ip: ip ?? "192.0.2.1", userAgent: userAgent ?? "vitest" },
    { action, targetType, targetId, domainId, details },
    at,
  );
}

/** Every event of a filter, page after page, as the console or the MCP tool would read them. */
export async function allAuditPages(caller: Caller, filter: AuditFilter, limit = 2): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await caller.audit.list({ ...filter, cursor, limit });
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}
