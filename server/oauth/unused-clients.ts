import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { clientRegistration, issuedAccessToken, oauthAccessToken, oauthClient, oauthConsent, oauthRefreshToken } from "@/db/schema";
import { recordEvent, SYSTEM_ACTOR } from "@/server/audit/record";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Once an hour per instance is plenty: a client becomes removable after days, not minutes. */
export const UNUSED_CLIENT_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** Removals per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 500;

/**
 * When a client was last usable: the later of its registration and the moment its last token
 * (refresh, opaque access or JWT access) expired or was revoked. In milliseconds, as stored.
 */
const lastUsableAt = sql<number>`max(
  coalesce(${oauthClient.createdAt}, ${clientRegistration.createdAt}),
  coalesce((select max(coalesce(${oauthRefreshToken.revoked}, ${oauthRefreshToken.expiresAt})) from ${oauthRefreshToken} where ${oauthRefreshToken.clientId} = ${oauthClient.clientId}), 0),
  coalesce((select max(coalesce(${oauthAccessToken.revoked}, ${oauthAccessToken.expiresAt})) from ${oauthAccessToken} where ${oauthAccessToken.clientId} = ${oauthClient.clientId}), 0),
  coalesce((select max(coalesce(${issuedAccessToken.revokedAt}, ${issuedAccessToken.expiresAt})) from ${issuedAccessToken} where ${issuedAccessToken.clientId} = ${oauthClient.clientId}), 0)
)`;

/**
 * A client that registered itself and holds no grant: nobody has consented to it (or everyone
 * disconnected it), and no token of it is live. Clients an administrator took an interest in
 * (trusted, or a resource server) are never counted.
 */
function unusedAt(now: Date): SQL {
  return and(
    eq(clientRegistration.origin, "dynamic"),
    eq(clientRegistration.resourceServer, false),
    sql`coalesce(${oauthClient.skipConsent}, 0) = 0`,
    sql`not exists (select 1 from ${oauthConsent} where ${oauthConsent.clientId} = ${oauthClient.clientId})`,
    sql`${lastUsableAt} <= ${now.getTime()}`,
  )!;
}

/** Unused for `days` days: no grant since then, and registered before then. */
function removableAt(now: Date, days: number): SQL {
  return and(unusedAt(now), sql`${lastUsableAt} <= ${now.getTime() - days * DAY_MS}`)!;
}

function dynamicClients(db: Executor) {
  return db.select({ clientId: oauthClient.clientId, name: oauthClient.name }).from(oauthClient).innerJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId));
}

/**
 * Deletes self-registered clients that have had no grant for `days` days, each in its own
 * transaction with its `client.removed_unused` audit row. The condition is checked again by the
 * delete itself, so a client someone authorizes while the sweep runs stays. A removed client that
 * comes back is told to register again (401 invalid_client at the token endpoint), which Claude
 * and other hosted clients do.
 */
export async function removeUnusedClients(db: Database, days: number, now = new Date()): Promise<string[]> {
  const candidates = await dynamicClients(db).where(removableAt(now, days)).limit(SWEEP_BATCH);
  const removed: string[] = [];
  for (const candidate of candidates) {
    const deleted = await db.transaction(async (tx) => {
      const stillRemovable = tx
        .select({ clientId: oauthClient.clientId })
        .from(oauthClient)
        .innerJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
        .where(and(eq(oauthClient.clientId, candidate.clientId), removableAt(now, days)));
      const [row] = await tx
        .delete(oauthClient)
        .where(inArray(oauthClient.clientId, stillRemovable))
        .returning({ clientId: oauthClient.clientId, createdAt: oauthClient.createdAt });
      if (!row) return false;
      await recordEvent(
        tx,
        SYSTEM_ACTOR,
        {
          action: "client.removed_unused",
          targetType: "client",
          targetId: row.clientId,
          details: { name: candidate.name, registeredAt: row.createdAt?.toISOString() ?? null, unusedForDays: days },
        },
        now,
      );
      return true;
    });
    if (deleted) removed.push(candidate.clientId);
  }
  return removed;
}

export interface RegistrationSprawl {
  /** Clients that registered themselves in the last 24 hours and 7 days. */
  registeredLastDay: number;
  registeredLastWeek: number;
  /** Every self-registered client there is now. */
  selfRegistered: number;
  /** Self-registered clients with no grant now: removed once that has lasted `unusedClientDays`. */
  unused: number;
  /** Unused clients whose time has come: the next sweep (within the hour) removes them. */
  dueForRemoval: number;
  /** When the next unused client that is not yet due will be removed, if still unused then. */
  nextRemovalAt: Date | null;
  unusedClientDays: number;
}

/** What the clients page shows about clients that registered themselves. */
export async function registrationSprawl(db: Executor, days: number, now = new Date()): Promise<RegistrationSprawl> {
  const count = sql<number>`count(*)`;
  const [registered] = await db
    .select({
      lastDay: sql<number>`coalesce(sum(${clientRegistration.createdAt} > ${now.getTime() - DAY_MS}), 0)`,
      lastWeek: sql<number>`coalesce(sum(${clientRegistration.createdAt} > ${now.getTime() - 7 * DAY_MS}), 0)`,
      total: count,
    })
    .from(clientRegistration)
    .where(eq(clientRegistration.origin, "dynamic"));
  const removalAt = sql<number>`${lastUsableAt} + ${days * DAY_MS}`;
  const [unused] = await db
    .select({
      unused: count,
      due: sql<number>`coalesce(sum(${removalAt} <= ${now.getTime()}), 0)`,
      next: sql<number | null>`min(case when ${removalAt} > ${now.getTime()} then ${removalAt} end)`,
    })
    .from(oauthClient)
    .innerJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
    .where(unusedAt(now));
  return {
    registeredLastDay: Number(registered?.lastDay ?? 0),
    registeredLastWeek: Number(registered?.lastWeek ?? 0),
    selfRegistered: Number(registered?.total ?? 0),
    unused: Number(unused?.unused ?? 0),
    dueForRemoval: Number(unused?.due ?? 0),
    nextRemovalAt: unused?.next ? new Date(Number(unused.next)) : null,
    unusedClientDays: days,
  };
}

const sweepState = globalThis as unknown as { gatehouseUnusedClientSweep?: ReturnType<typeof setInterval> };

/**
 * Sweeps once an hour for as long as the process runs, starting a minute after it starts. Several
 * instances sweeping at once is harmless: each removal re-checks its condition and only one
 * delete finds the row.
 */
export function startUnusedClientSweep(db: Database, days: number): void {
  if (sweepState.gatehouseUnusedClientSweep) return;
  const sweep = () => {
    removeUnusedClients(db, days).catch((error: unknown) => {
      console.error("Removing unused self-registered clients failed; the next sweep tries again:", error);
    });
  };
  setTimeout(sweep, 60_000).unref();
  sweepState.gatehouseUnusedClientSweep = setInterval(sweep, UNUSED_CLIENT_SWEEP_INTERVAL_MS);
  sweepState.gatehouseUnusedClientSweep.unref();
}
