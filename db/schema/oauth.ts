import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { oauthClient, user } from "./auth";
import { domain } from "./authz";

const timestamp = () =>
  integer({ mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const CLIENT_ORIGINS = ["console", "dynamic"] as const;
export type ClientOrigin = (typeof CLIENT_ORIGINS)[number];

/**
 * What Gatehouse knows about an OAuth client beyond the plugin's `oauth_client` row: the domain that
 * owns it (NULL = an installation-wide client) and how it came to exist. Deleting the client row
 * deletes this one.
 */
export const clientRegistration = sqliteTable(
  "client_registration",
  {
    clientId: text()
      .primaryKey()
      .references(() => oauthClient.clientId, { onDelete: "cascade" }),
    domainId: text().references(() => domain.id, { onDelete: "restrict" }),
    origin: text({ enum: CLIENT_ORIGINS }).notNull(),
    createdBy: text().references(() => user.id, { onDelete: "set null" }),
    createdAt: timestamp(),
    /**
     * Marked by an administrator: the client is a resource server and may introspect tokens issued
     * to other clients. Any other client introspects only its own tokens.
     */
    resourceServer: integer({ mode: "boolean" }).notNull().default(false),
  },
  (table) => [index("client_registration_domain_idx").on(table.domainId, table.clientId)],
);

/**
 * Every JWT access token the token endpoint hands out. A JWT verifies on its own, so this row is what
 * makes revocation immediate: `/mcp`, userinfo and introspection accept a token only while its row
 * exists and is not revoked, one primary-key lookup. Deleting the client or the user deletes the rows,
 * which revokes their tokens too.
 */
export const issuedAccessToken = sqliteTable(
  "issued_access_token",
  {
    jti: text().primaryKey(),
    clientId: text()
      .notNull()
      .references(() => oauthClient.clientId, { onDelete: "cascade" }),
    /** NULL for client_credentials tokens, which act for the client itself. */
    userId: text().references(() => user.id, { onDelete: "cascade" }),
    /**
     * The browser session the user authorized in (the token's `sid`). The provider treats such a token
     * as dead once that session ends, so ending the session revokes it here too.
     */
    sessionId: text(),
    /** The authorization code the grant started from (stored hashed, as the plugin stores it), shared along a refresh chain. */
    authorizationCodeId: text(),
    grantType: text().notNull(),
    scopes: text().notNull(),
    audience: text().notNull(),
    issuedAt: integer({ mode: "timestamp_ms" }).notNull(),
    expiresAt: integer({ mode: "timestamp_ms" }).notNull(),
    revokedAt: integer({ mode: "timestamp_ms" }),
    revokedReason: text(),
  },
  (table) => [
    index("issued_access_token_client_idx").on(table.clientId, table.expiresAt),
    index("issued_access_token_user_idx").on(table.userId, table.clientId, table.expiresAt),
    index("issued_access_token_code_idx").on(table.authorizationCodeId),
    index("issued_access_token_session_idx").on(table.sessionId),
    index("issued_access_token_expiry_idx").on(table.expiresAt),
  ],
);
