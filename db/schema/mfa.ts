import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { passkey, session } from "./auth";

/**
 * The last time a session proved its user again (password or second factor) after signing in.
 * Step-up checks take the later of this and the session's creation.
 */
export const sessionReauthentication = sqliteTable("session_reauthentication", {
  sessionId: text()
    .primaryKey()
    .references(() => session.id, { onDelete: "cascade" }),
  authenticatedAt: integer({ mode: "timestamp_ms" }).notNull(),
  method: text().notNull(),
});

/** better-auth's passkey rows have no last-used time; the console shows one. */
export const passkeyUse = sqliteTable("passkey_use", {
  passkeyId: text()
    .primaryKey()
    .references(() => passkey.id, { onDelete: "cascade" }),
  lastUsedAt: integer({ mode: "timestamp_ms" }).notNull(),
});

/**
 * Wrong second-factor codes by client address. The plugin locks an account after five; this locks
 * an address that guesses across many accounts.
 */
export const mfaFailure = sqliteTable(
  "mfa_failure",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    ip: text().notNull(),
    userId: text(),
    failedAt: integer({ mode: "timestamp_ms" }).notNull(),
  },
  (table) => [index("mfa_failure_ip_idx").on(table.ip, table.failedAt)],
);
