import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const ACTOR_VIA = ["web", "mcp", "oauth", "system"] as const;
export type ActorVia = (typeof ACTOR_VIA)[number];

/**
 * Append-only: no procedure updates or deletes a row. Actor, target and domain ids are plain text
 * rather than foreign keys so that history survives the deletion of what it describes.
 * Every index ends in (at, id) because every listing is newest first with a keyset cursor.
 */
export const auditEvent = sqliteTable(
  "audit_event",
  {
    id: text().primaryKey(),
    at: integer({ mode: "timestamp_ms" }).notNull(),
    actorUserId: text(),
    actorVia: text({ enum: ACTOR_VIA }).notNull(),
    clientId: text(),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    domainId: text(),
    ip: text(),
    userAgent: text(),
    details: text({ mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  },
  (table) => [
    index("audit_event_at_idx").on(table.at, table.id),
    index("audit_event_actor_idx").on(table.actorUserId, table.at, table.id),
    index("audit_event_action_idx").on(table.action, table.at, table.id),
    index("audit_event_target_idx").on(table.targetType, table.targetId, table.at, table.id),
    index("audit_event_domain_idx").on(table.domainId, table.at, table.id),
    index("audit_event_client_idx").on(table.clientId, table.at, table.id),
    // A domain's events of some actions (a domain reader's failures, or one action in a domain).
    index("audit_event_domain_action_idx").on(table.domainId, table.action, table.at, table.id),
  ],
);

/**
 * Hourly counts of the audit events the dashboard charts (sign-ins and MCP calls), written by
 * `recordEvent` in the transaction that writes the event, so that a 30-day series reads a few
 * thousand rows instead of a range of the audit log. `domainId` is "" for events filed under no
 * domain (SQLite never matches NULLs in a conflict target); `hour` is the start of the UTC hour.
 * `outcome` is "success" or "failure".
 */
export const auditHourlyCount = sqliteTable(
  "audit_hourly_count",
  {
    action: text().notNull(),
    hour: integer({ mode: "timestamp_ms" }).notNull(),
    domainId: text().notNull(),
    outcome: text({ enum: ["success", "failure"] }).notNull(),
    count: integer().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.action, table.hour, table.domainId, table.outcome] }),
    // Readers scoped to some domains read their own rows only.
    index("audit_hourly_count_domain_idx").on(table.domainId, table.action, table.hour),
  ],
);
