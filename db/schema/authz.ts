import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { user } from "./auth";

const timestamp = () =>
  integer({ mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const MFA_POLICIES = ["off", "optional", "required"] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

/** A tenant. Users belong to it through role assignments scoped to its id. */
export const domain = sqliteTable("domain", {
  id: text().primaryKey(),
  name: text().notNull(),
  slug: text().notNull().unique(),
  description: text().notNull().default(""),
  mfaPolicy: text({ enum: MFA_POLICIES }).notNull().default("optional"),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/**
 * Email domains whose new sign-ups join the tenant. An email domain belongs to at most one tenant,
 * so joining is never ambiguous.
 */
export const domainEmailDomain = sqliteTable(
  "domain_email_domain",
  {
    emailDomain: text().primaryKey(),
    domainId: text()
      .notNull()
      .references(() => domain.id, { onDelete: "cascade" }),
  },
  (table) => [index("domain_email_domain_domain_idx").on(table.domainId)],
);

/** Roles keep the default they were created with; rebuilding the table would fight its foreign keys. */
const roleTimestamp = () =>
  integer({ mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const role = sqliteTable("role", {
  id: text().primaryKey(),
  name: text().notNull().unique(),
  description: text().notNull().default(""),
  builtIn: integer({ mode: "boolean" }).notNull().default(false),
  /** Holders of the role, anywhere, must have a second factor before they can use the console. */
  requiresMfa: integer({ mode: "boolean" }).notNull().default(false),
  createdAt: roleTimestamp(),
  updatedAt: roleTimestamp(),
});

/** Values are `Permission` strings from server/authz/permissions.ts, validated before every write. */
export const rolePermission = sqliteTable(
  "role_permission",
  {
    roleId: text()
      .notNull()
      .references(() => role.id, { onDelete: "cascade" }),
    permission: text().notNull(),
  },
  (table) => [primaryKey({ columns: [table.roleId, table.permission] })],
);

/** `domainId` NULL means the grant holds in every domain (global scope). */
export const roleAssignment = sqliteTable(
  "role_assignment",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    roleId: text()
      .notNull()
      .references(() => role.id, { onDelete: "restrict" }),
    domainId: text().references(() => domain.id, { onDelete: "restrict" }),
    createdAt: timestamp(),
  },
  (table) => [
    index("role_assignment_user_idx").on(table.userId, table.domainId),
    index("role_assignment_role_idx").on(table.roleId, table.domainId),
    index("role_assignment_domain_idx").on(table.domainId, table.userId),
    // NULL never equals NULL in a unique index, so the global grant needs its own partial index.
    uniqueIndex("role_assignment_global_unique_idx")
      .on(table.userId, table.roleId)
      .where(sql`${table.domainId} IS NULL`),
    uniqueIndex("role_assignment_domain_unique_idx")
      .on(table.userId, table.roleId, table.domainId)
      .where(sql`${table.domainId} IS NOT NULL`),
  ],
);

/**
 * A suspended account. Kept beside better-auth's tables rather than in them so that the only
 * authorization data is Gatehouse's own (better-auth's admin plugin would add a second role system).
 */
export const userBan = sqliteTable("user_ban", {
  userId: text()
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  reason: text().notNull().default(""),
  bannedBy: text().references(() => user.id, { onDelete: "set null" }),
  bannedAt: timestamp(),
});

/**
 * When each account last completed a sign-in (password with or without a second factor, or a
 * passkey), kept by the one place that records a sign-in so the users list can sort by it through
 * an index instead of aggregating sessions or the audit log. Every user has a row, 0 until the first
 * sign-in (a trigger adds it with the user, migration 0014), so that list can read this table's index
 * in order and join user.
 */
export const userSignIn = sqliteTable(
  "user_sign_in",
  {
    userId: text()
      .primaryKey()
      .references(() => user.id, { onDelete: "cascade" }),
    lastSignInAt: integer({ mode: "timestamp_ms" }).notNull(),
  },
  (table) => [index("user_sign_in_last_idx").on(table.lastSignInAt, table.userId)],
);

export const OWNER_ROLE_ID = "role_owner";
export const ADMIN_ROLE_ID = "role_admin";
export const DOMAIN_ADMIN_ROLE_ID = "role_domain_admin";
export const AUDITOR_ROLE_ID = "role_auditor";
export const MEMBER_ROLE_ID = "role_member";
export const GUEST_ROLE_ID = "role_guest";

/**
 * An account created by an administrator without a password: the invitee sets one through a
 * one-time link. Only the SHA-256 of the link's token is stored.
 */
export const invitation = sqliteTable(
  "invitation",
  {
    tokenHash: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    invitedBy: text().references(() => user.id, { onDelete: "set null" }),
    expiresAt: integer({ mode: "timestamp_ms" }).notNull(),
    usedAt: integer({ mode: "timestamp_ms" }),
    createdAt: timestamp(),
  },
  (table) => [index("invitation_user_idx").on(table.userId)],
);
