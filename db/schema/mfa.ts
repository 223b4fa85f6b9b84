import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { passkey, session, user } from "./auth";

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
  /**
   * The last time this session proved a second factor: a sign-in through the challenge or with a
   * passkey, or a step-up with a code. Adding a factor to an account that has one asks for this.
   */
  secondFactorAt: integer({ mode: "timestamp_ms" }),
});

/**
 * Counters behind every lockout (step-up, second-factor codes per account and per address). One
 * row per key; an attempt is counted with one atomic upsert before the secret is checked, so
 * parallel requests cannot slip past the limit between a read and a write.
 */
export const attemptLimit = sqliteTable(
  "attempt_limit",
  {
    key: text().primaryKey(),
    attempts: integer().notNull(),
    windowStartedAt: integer({ mode: "timestamp_ms" }).notNull(),
    lockedUntil: integer({ mode: "timestamp_ms" }),
  },
  (table) => [
    index("attempt_limit_window_idx").on(table.windowStartedAt),
    // The lockouts list: the locks in force (locked_until > now), ending soonest first.
    index("attempt_limit_locked_idx").on(table.lockedUntil, table.key),
  ],
);

/**
 * The one password-reset link of an account that still works: a newer request replaces it and a
 * completed reset removes it, so every earlier link dies. Only a hash of the link's token is kept.
 */
export const passwordResetRequest = sqliteTable("password_reset_request", {
  userId: text()
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  tokenHash: text().notNull().unique(),
  issuedAt: integer({ mode: "timestamp_ms" }).notNull(),
});

/** better-auth's passkey rows have no last-used time; the console shows one. */
export const passkeyUse = sqliteTable("passkey_use", {
  passkeyId: text()
    .primaryKey()
    .references(() => passkey.id, { onDelete: "cascade" }),
  lastUsedAt: integer({ mode: "timestamp_ms" }).notNull(),
});
