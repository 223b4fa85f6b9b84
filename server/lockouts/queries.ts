import { and, eq, gt, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { attemptLimit, user } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import { accountAttemptKey, networkAttemptKey } from "@/server/auth/plugins/second-factor-lockout";
import { stepUpAttemptKey } from "@/server/auth/step-up";
import { keyset, type Page } from "@/server/paging";
import { allows } from "@/server/trpc/procedures";
import { loadAccountTargets } from "@/server/users/commands";
import { visibleUserCondition } from "@/server/users/visibility";
import { assertMayUnlock, type Lockout, type LockoutLimit } from "./commands";

/**
 * Brute-force lockouts: the attempt limiter's counters (`server/auth/attempt-limit.ts`) that are
 * locked right now. Three limits lock: wrong second-factor codes of one account, wrong codes from one
 * network, and wrong answers when a signed-in person confirms it is them (step-up). The limiter's
 * other counters (emails per address, registrations) only throttle and never lock.
 */
const LIMITS = {
  "account-codes": { prefix: accountAttemptKey(""), label: "Second-factor codes", of: "account" },
  "account-step-up": { prefix: stepUpAttemptKey(""), label: "Confirming it is them (step-up)", of: "account" },
  "network-codes": { prefix: networkAttemptKey(""), label: "Second-factor codes from one network", of: "network" },
} as const satisfies Record<LockoutLimit, { prefix: string; label: string; of: "account" | "network" }>;

function limitOf(key: string): LockoutLimit | null {
  for (const [limit, { prefix }] of Object.entries(LIMITS)) if (key.startsWith(prefix)) return limit as LockoutLimit;
  return null;
}

/** The account a counter belongs to: `mfa:user:<id>` or `step-up:<id>`. */
const accountOfKey = sql`case
  when ${attemptLimit.key} like ${`${LIMITS["account-codes"].prefix}%`} then substr(${attemptLimit.key}, ${LIMITS["account-codes"].prefix.length + 1})
  when ${attemptLimit.key} like ${`${LIMITS["account-step-up"].prefix}%`} then substr(${attemptLimit.key}, ${LIMITS["account-step-up"].prefix.length + 1})
end`;

const lockoutKey = keyset(z.object({ until: z.number(), key: z.string() }));

/**
 * The lockouts in force now that `authority` may read: an account's as users are (users:read where
 * the account belongs), a network's to global readers of users only, as it holds back everyone there.
 */
function readableBy(authority: Authority): SQL | undefined {
  const scope = authority.scopeOf("users:read");
  if (scope.all) return undefined;
  return and(isNotNull(user.id), visibleUserCondition(scope, user.id));
}

async function findLockouts(db: Executor, where: (SQL | undefined)[], limit: number): Promise<Lockout[]> {
  const rows = await db
    .select({
      key: attemptLimit.key,
      attempts: attemptLimit.attempts,
      lockedUntil: attemptLimit.lockedUntil,
      userId: user.id,
      email: user.email,
      name: user.name,
    })
    .from(attemptLimit)
    .leftJoin(user, eq(user.id, accountOfKey))
    .where(
      and(
        gt(attemptLimit.lockedUntil, new Date()),
        or(...Object.values(LIMITS).map(({ prefix }) => sql`${attemptLimit.key} like ${`${prefix}%`}`)),
        ...where,
      ),
    )
    .orderBy(attemptLimit.lockedUntil, attemptLimit.key)
    .limit(limit);
  const targets = await loadAccountTargets(
    db,
    rows.flatMap((row) => (row.userId && row.email ? [{ id: row.userId, email: row.email }] : [])),
  );
  return rows.flatMap((row) => {
    const limitName = limitOf(row.key);
    // A counter of a deleted account has no one left to hold back.
    if (!limitName || !row.lockedUntil || (LIMITS[limitName].of === "account" && !row.userId)) return [];
    const domainIds = row.userId ? (targets.get(row.userId)?.domainIds ?? []) : [];
    return [
      {
        key: row.key,
        limit: limitName,
        limitLabel: LIMITS[limitName].label,
        userId: row.userId,
        email: row.email,
        name: row.name,
        address: LIMITS[limitName].of === "network" ? row.key.slice(LIMITS[limitName].prefix.length) : null,
        attempts: row.attempts,
        lockedUntil: row.lockedUntil,
        domainId: domainIds.length === 1 ? domainIds[0]! : null,
      },
    ];
  });
}

/** The lockout named `key` if it is in force now, whoever may see it; the procedures check that. */
export async function findLockout(db: Executor, key: string): Promise<Lockout | undefined> {
  const [found] = await findLockouts(db, [eq(attemptLimit.key, key)], 1);
  return found;
}

/** The lockouts in force that the caller may read, ending soonest first, each with `can.unlock` by the rule lockouts.unlock enforces. */
export async function listLockouts(
  db: Executor,
  authority: Authority,
  caller: { userId: string },
  input: { cursor?: string | undefined; limit: number },
): Promise<Page<Lockout & { can: { unlock: boolean } }>> {
  const after = lockoutKey.after(input.cursor);
  const rows = await findLockouts(
    db,
    [
      readableBy(authority),
      after &&
        sql`(${attemptLimit.lockedUntil} > ${after.until} or (${attemptLimit.lockedUntil} = ${after.until} and ${attemptLimit.key} > ${after.key}))`,
    ],
    input.limit + 1,
  );
  const page = lockoutKey.page(rows, input.limit, (row) => ({ until: row.lockedUntil.getTime(), key: row.key }));
  const accounts = await loadAccountTargets(
    db,
    page.items.flatMap((row) => (row.userId && row.email ? [{ id: row.userId, email: row.email }] : [])),
  );
  const items = await Promise.all(
    page.items.map(async (row) => ({
      ...row,
      can: { unlock: await allows(() => assertMayUnlock(authority, caller, row, row.userId ? (accounts.get(row.userId) ?? null) : null)) },
    })),
  );
  return { items, nextCursor: page.nextCursor };
}
