import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { oauthClient, user } from "./auth";
import { domain } from "./authz";

const timestamp = () =>
  integer({ mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/** How a client came to exist: the console, RFC 7591 dynamic registration, or a client ID metadata document. */
export const CLIENT_ORIGINS = ["console", "dynamic", "metadata_document"] as const;
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
    /**
     * RFC 7592: the hash of the registration access token a dynamically registered client manages its
     * own registration with. The token itself is in the registration response only.
     */
    registrationAccessTokenHash: text().unique(),
    /** For a client ID metadata document: until when the fetched document may be used without fetching it again. */
    metadataDocumentExpiresAt: integer({ mode: "timestamp_ms" }),
  },
  (table) => [
    index("client_registration_domain_idx").on(table.domainId, table.clientId),
    index("client_registration_origin_idx").on(table.origin, table.createdAt),
  ],
);

/**
 * Installation-wide settings an administrator changes in the console (as opposed to the environment
 * variables an operator sets at start): one JSON value per key.
 */
export const installationSetting = sqliteTable("installation_setting", {
  key: text().primaryKey(),
  value: text({ mode: "json" }).notNull(),
  updatedAt: timestamp(),
  updatedBy: text().references(() => user.id, { onDelete: "set null" }),
});

export const METADATA_HOST_RULES = ["allow", "block"] as const;
export type MetadataHostRule = (typeof METADATA_HOST_RULES)[number];

/** Hosts an administrator allowed or blocked as sources of client ID metadata documents. */
export const metadataDocumentHost = sqliteTable("metadata_document_host", {
  host: text().primaryKey(),
  rule: text({ enum: METADATA_HOST_RULES }).notNull(),
  createdAt: timestamp(),
  createdBy: text().references(() => user.id, { onDelete: "set null" }),
});

/**
 * One refresh-token exchange at a time per presented token, across instances: the first request
 * claims the row and rotates; requests with the same token inside the reuse window wait for its
 * answer and get the same tokens (kept encrypted, briefly) instead of being taken for a thief.
 */
export const refreshExchange = sqliteTable(
  "refresh_exchange",
  {
    presentedTokenHash: text().primaryKey(),
    clientId: text().notNull(),
    /** The token endpoint's answer, encrypted with the auth secret; null while the exchange runs. */
    response: text(),
    createdAt: timestamp(),
    expiresAt: integer({ mode: "timestamp_ms" }).notNull(),
  },
  (table) => [index("refresh_exchange_expiry_idx").on(table.expiresAt)],
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
