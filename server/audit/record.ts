import { randomUUID } from "node:crypto";
import type { BatchItem } from "drizzle-orm/batch";
import { SQLiteTransaction } from "drizzle-orm/sqlite-core";
import type { Executor } from "@/db/client";
import { auditEvent, type ActorVia } from "@/db/schema";
import { addHourlyCounts, hourlyCountsOf } from "./hourly-counts";
import { clientAddress } from "@/server/client-address";

/** Who caused an event and from where; built once per request by the tRPC context. */
export interface AuditActor {
  userId: string | null;
  via: ActorVia;
  /** The OAuth client a call came through (MCP), if any. */
  clientId?: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { userId: null, via: "system", ip: null, userAgent: null };

export interface AuditEventInput {
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  domainId?: string | null;
  /** Facts about the change. Never passwords, secrets or tokens; see redactSecrets. */
  details?: Record<string, unknown>;
}

const SECRET_KEY = /^(.*password|.*secret|.*token|.*tokens|.*codes?|otp|totp|.*key|.*hash|cookie|authorization)$/i;

/** Drops secret-looking keys at any depth, so a careless caller cannot write a credential into history. */
function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !SECRET_KEY.test(key))
        .map(([key, inner]) => [key, redactSecrets(inner)]),
    );
  }
  return value;
}

const MAX_USER_AGENT = 512;

/**
 * Writes one audit row, and for the events the dashboard charts adds it to its hourly count; call
 * it with the transaction that makes the change it records. Outside a transaction (a sign-in, an MCP
 * call) the row, its count and the `alongside` writes that belong to the same event go in one batch,
 * so none of them is kept without the others.
 */
export async function recordEvent(tx: Executor, actor: AuditActor, event: AuditEventInput, at = new Date(), alongside: readonly BatchItem<"sqlite">[] = []) {
  const id = randomUUID();
  const details = redactSecrets(event.details ?? {}) as Record<string, unknown>;
  const insert = tx.insert(auditEvent).values({
    id,
    at,
    actorUserId: actor.userId,
    actorVia: actor.via,
    clientId: actor.clientId ?? null,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    domainId: event.domainId ?? null,
    ip: actor.ip,
    userAgent: actor.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    details,
  });
  const [count] = hourlyCountsOf([{ action: event.action, at, domainId: event.domainId ?? null, details }]);
  const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [insert, ...(count ? [addHourlyCounts(tx, [count])] : []), ...alongside];
  if (statements.length === 1 || tx instanceof SQLiteTransaction) {
    for (const statement of statements) await statement;
  } else {
    await tx.batch(statements);
  }
  return id;
}

/** The client address and agent of a request, as the audit log shows them; the address as sessions record it. */
export function requestOrigin(headers: Headers): Pick<AuditActor, "ip" | "userAgent"> {
  return { ip: clientAddress(headers), userAgent: headers.get("user-agent") };
}
