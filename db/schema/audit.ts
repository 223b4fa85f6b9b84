import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
  ],
);
