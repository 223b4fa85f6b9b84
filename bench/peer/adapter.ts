/**
 * A durable oidc-provider adapter over a libSQL file, so the peer stores its codes, grants, sessions
 * and refresh tokens on disk as Gatehouse does (an in-memory peer would not be a fair comparison).
 * One table keyed by model and id; the columns oidc-provider looks rows up by (grantId, userCode,
 * uid) are copied out of the payload and indexed. Expired rows are never returned.
 */
import type { Client } from "@libsql/client";

/** What oidc-provider stores: a JSON object; the lookups read these fields of it. */
export interface AdapterPayload {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
  [key: string]: unknown;
}

/** oidc-provider's Adapter interface (lib/adapters/memory_adapter.js documents it). */
export interface PeerAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export type PeerAdapterClass = new (model: string) => PeerAdapter;

/**
 * Creates the table and its lookup indexes; WAL with synchronous NORMAL, as Gatehouse runs its own
 * file (db/client.ts), so neither side's commits wait for an fsync the other skips.
 */
export async function prepareAdapterDatabase(client: Client): Promise<void> {
  await client.execute("PRAGMA journal_mode = WAL");
  await client.execute("PRAGMA synchronous = NORMAL");
  await client.batch(
    [
      `CREATE TABLE IF NOT EXISTS oidc_model (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        grant_id TEXT,
        user_code TEXT,
        uid TEXT,
        expires_at INTEGER,
        PRIMARY KEY (model, id)
      )`,
      "CREATE INDEX IF NOT EXISTS oidc_model_grant ON oidc_model (grant_id) WHERE grant_id IS NOT NULL",
      "CREATE INDEX IF NOT EXISTS oidc_model_user_code ON oidc_model (model, user_code) WHERE user_code IS NOT NULL",
      "CREATE INDEX IF NOT EXISTS oidc_model_uid ON oidc_model (model, uid) WHERE uid IS NOT NULL",
    ],
    "write",
  );
}

/** The adapter class oidc-provider instantiates once per model (AccessToken, Grant, Session…). */
export function libsqlAdapter(client: Client, now: () => number = Date.now): PeerAdapterClass {
  async function first(sql: string, args: (string | number)[]): Promise<AdapterPayload | undefined> {
    const { rows } = await client.execute({ sql: `${sql} AND (expires_at IS NULL OR expires_at > ?) LIMIT 1`, args: [...args, now()] });
    const payload = rows[0]?.payload;
    return typeof payload === "string" ? (JSON.parse(payload) as AdapterPayload) : undefined;
  }

  return class LibsqlAdapter implements PeerAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await client.execute({
        sql: `INSERT INTO oidc_model (model, id, payload, grant_id, user_code, uid, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
              user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
        args: [
          this.model,
          id,
          JSON.stringify(payload),
          payload.grantId ?? null,
          payload.userCode ?? null,
          payload.uid ?? null,
          expiresIn ? now() + expiresIn * 1000 : null,
        ],
      });
    }

    find(id: string) {
      return first("SELECT payload FROM oidc_model WHERE model = ? AND id = ?", [this.model, id]);
    }

    findByUserCode(userCode: string) {
      return first("SELECT payload FROM oidc_model WHERE model = ? AND user_code = ?", [this.model, userCode]);
    }

    findByUid(uid: string) {
      return first("SELECT payload FROM oidc_model WHERE model = ? AND uid = ?", [this.model, uid]);
    }

    /** Marks the payload consumed (seconds since the epoch), as the provider's own adapters do. */
    async consume(id: string): Promise<void> {
      await client.execute({
        sql: "UPDATE oidc_model SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ?",
        args: [Math.floor(now() / 1000), this.model, id],
      });
    }

    async destroy(id: string): Promise<void> {
      await client.execute({ sql: "DELETE FROM oidc_model WHERE model = ? AND id = ?", args: [this.model, id] });
    }

    /** Every model's rows of the grant go: its codes, access and refresh tokens. */
    async revokeByGrantId(grantId: string): Promise<void> {
      await client.execute({ sql: "DELETE FROM oidc_model WHERE grant_id = ?", args: [grantId] });
    }
  };
}
