import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { user as userTable } from "@/db/schema";
import { recordEvent, requestOrigin, type AuditActor } from "./record";

/** Audit rows for what better-auth does on its own endpoints: sign-in, sign-out and sign-up. */
export interface AuthEventInput {
  action: "auth.sign_in" | "auth.sign_in_failed" | "auth.sign_out" | "auth.sign_up";
  userId: string | null;
  headers: Headers | undefined;
  details?: Record<string, unknown>;
}

export async function recordAuthEvent(db: Database, event: AuthEventInput): Promise<void> {
  const actor: AuditActor = {
    userId: event.action === "auth.sign_in_failed" ? null : event.userId,
    via: "web",
    ...(event.headers ? requestOrigin(event.headers) : { ip: null, userAgent: null }),
  };
  await recordEvent(db, actor, {
    action: event.action,
    targetType: event.userId ? "user" : null,
    targetId: event.userId,
    details: event.details,
  });
}

export async function userIdByEmail(db: Database, email: string): Promise<string | null> {
  const [row] = await db
    .select({ id: userTable.id })
    .from(userTable)
    .where(eq(userTable.email, email.trim().toLowerCase()))
    .limit(1);
  return row?.id ?? null;
}
