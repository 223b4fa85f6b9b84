import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Messages kept by the development outbox instead of being sent, so account recovery works with no
 * SMTP server. Holds live reset links: it is only written when the outbox is switched on.
 */
export const devOutboxMessage = sqliteTable(
  "dev_outbox_message",
  {
    id: text().primaryKey(),
    createdAt: integer({ mode: "timestamp_ms" }).notNull(),
    to: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    link: text(),
  },
  (table) => [index("dev_outbox_message_created_idx").on(table.createdAt, table.id)],
);
