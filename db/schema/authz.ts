import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { user } from "./auth";

const createdAt = () =>
  integer({ mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const role = sqliteTable("role", {
  id: text().primaryKey(),
  name: text().notNull().unique(),
  description: text().notNull().default(""),
  builtIn: integer({ mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: createdAt(),
});

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
    domainId: text(),
    createdAt: createdAt(),
  },
  (table) => [
    index("role_assignment_user_idx").on(table.userId),
    index("role_assignment_role_idx").on(table.roleId),
    // NULL never equals NULL in a unique index, so the global grant needs its own partial index.
    uniqueIndex("role_assignment_global_unique_idx")
      .on(table.userId, table.roleId)
      .where(sql`${table.domainId} IS NULL`),
    uniqueIndex("role_assignment_domain_unique_idx")
      .on(table.userId, table.roleId, table.domainId)
      .where(sql`${table.domainId} IS NOT NULL`),
  ],
);

export const OWNER_ROLE_ID = "role_owner";
export const MEMBER_ROLE_ID = "role_member";
