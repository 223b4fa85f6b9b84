import { asc, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { passkey, passkeyUse, user } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { findGrants } from "@/server/grants/queries";
import { findSessions } from "@/server/sessions/queries";

/** Everyone's own scope: a personal list is every row of one user, so no grant is needed. */
const OWN = { all: true } as const;

/** More than anyone keeps open; the account page shows them all without paging. */
const PERSONAL_LIMIT = 100;

export async function twoFactorStatus(db: Executor, auth: Auth, userId: string) {
  const [row] = await db.select({ enabled: user.twoFactorEnabled }).from(user).where(eq(user.id, userId)).limit(1);
  const enabled = row?.enabled === true;
  if (!enabled) return { enabled, backupCodesRemaining: 0 };
  // The codes are stored encrypted; only the plugin's server-side call can count them.
  const codes = await auth.api.viewBackupCodes({ body: { userId } });
  return { enabled, backupCodesRemaining: codes.backupCodes.length };
}

export function ownPasskeys(db: Executor, userId: string) {
  return db
    .select({ id: passkey.id, name: passkey.name, createdAt: passkey.createdAt, lastUsedAt: passkeyUse.lastUsedAt })
    .from(passkey)
    .leftJoin(passkeyUse, eq(passkeyUse.passkeyId, passkey.id))
    .where(eq(passkey.userId, userId))
    .orderBy(asc(passkey.createdAt), asc(passkey.id))
    .limit(PERSONAL_LIMIT);
}

/** The person's own browser sessions; each one is theirs to end (`can.revoke`). */
export async function sessionsOf(db: Executor, userId: string, currentSessionId: string) {
  const { items } = await findSessions(db, OWN, { userId, limit: PERSONAL_LIMIT }, currentSessionId);
  return items.map((item) => ({ ...item, can: { revoke: true } }));
}

/** The applications the person let act for them; each one is theirs to disconnect (`can.revoke`). */
export async function connectedApps(db: Executor, userId: string) {
  return (await findGrants(db, OWN, { userId, limit: PERSONAL_LIMIT })).items.map((grant) => ({
    clientId: grant.clientId,
    clientName: grant.clientName,
    logoUri: grant.logoUri,
    scopes: grant.scopes,
    createdAt: grant.createdAt,
    lastUsedAt: grant.lastUsedAt,
    liveAccessTokens: grant.liveAccessTokens,
    can: { revoke: true },
  }));
}
