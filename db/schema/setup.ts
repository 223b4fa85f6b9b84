import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One-time links that let the first owner in when no admin credentials were configured. */
export const setupToken = sqliteTable("setup_token", {
  tokenHash: text().primaryKey(),
  expiresAt: integer({ mode: "timestamp_ms" }).notNull(),
  usedAt: integer({ mode: "timestamp_ms" }),
  createdAt: integer({ mode: "timestamp_ms" }).notNull(),
});
