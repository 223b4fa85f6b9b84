import type { BetterAuthPlugin } from "better-auth";
import { isAPIError } from "better-auth/api";
import { and, eq } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { passkey, passkeyUse } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { authPlugin, hook } from "./define";

/** The parts of a better-auth hook context the bookkeeping reads. */
export interface PasskeyHookContext {
  body?: unknown;
  headers?: Headers;
  context: {
    returned?: unknown;
    session?: { user: { id: string } } | null;
    newSession?: { user: { id: string } } | null;
  };
}

/**
 * The credential id the browser's WebAuthn response names (`response.id`, base64url), which is what
 * the plugin stores as `credentialID`. The plugin's answer to a passkey sign-in does not say which
 * passkey it was, so this is how the hooks find it.
 */
function presentedCredentialId(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const response = (body as { response?: unknown }).response;
  if (!response || typeof response !== "object") return undefined;
  const id = (response as { id?: unknown }).id;
  return typeof id === "string" && id.length > 0 ? id : undefined;
}

async function passkeyByCredential(db: Executor, credentialId: string, userId?: string) {
  const [row] = await db
    .select({ id: passkey.id, name: passkey.name, userId: passkey.userId })
    .from(passkey)
    .where(userId ? and(eq(passkey.credentialID, credentialId), eq(passkey.userId, userId)) : eq(passkey.credentialID, credentialId))
    .limit(1);
  return row;
}

/** After `/passkey/verify-registration`: the new passkey's id and name are audited, never key material. */
export async function recordPasskeyRegistration(db: Database, ctx: PasskeyHookContext): Promise<void> {
  const userId = ctx.context.session?.user.id;
  const created = ctx.context.returned as { id?: unknown; name?: unknown } | undefined;
  if (!userId || !created || isAPIError(created) || typeof created.id !== "string") return;
  await recordAuthEvent(db, {
    action: "auth.passkey_added",
    userId,
    headers: ctx.headers,
    details: { passkeyId: created.id, name: typeof created.name === "string" ? created.name : null },
  });
}

async function recordPasskeyRemoval(db: Database, ctx: PasskeyHookContext): Promise<void> {
  const userId = ctx.context.session?.user.id;
  const id = (ctx.body as { id?: unknown } | undefined)?.id;
  if (!userId || isAPIError(ctx.context.returned) || typeof id !== "string") return;
  await recordAuthEvent(db, { action: "auth.passkey_removed", userId, headers: ctx.headers, details: { passkeyId: id } });
}

/** After `/passkey/verify-authentication`: the passkey's last use, and the sign-in or its failure. */
export async function recordPasskeySignIn(db: Database, ctx: PasskeyHookContext): Promise<void> {
  const credentialId = presentedCredentialId(ctx.body);
  if (!credentialId) return;
  const returned = ctx.context.returned;
  if (isAPIError(returned)) {
    // Only a credential that belongs to an account says whose sign-in failed; an unknown one names nobody.
    const known = await passkeyByCredential(db, credentialId);
    if (!known) return;
    await recordAuthEvent(db, {
      action: "auth.sign_in_failed",
      userId: known.userId,
      headers: ctx.headers,
      details: { method: "passkey", passkeyId: known.id, reason: returned.body?.code ?? "UNKNOWN" },
    });
    return;
  }
  const userId = ctx.context.newSession?.user.id;
  if (!userId) return;
  const used = await passkeyByCredential(db, credentialId, userId);
  const usedAt = new Date();
  // Gatehouse counts a passkey as both factors: the two-factor plugin only stops password sign-ins,
  // so this session is already complete and no TOTP challenge follows.
  await db.transaction(async (tx) => {
    if (used) {
      await tx
        .insert(passkeyUse)
        .values({ passkeyId: used.id, lastUsedAt: usedAt })
        .onConflictDoUpdate({ target: passkeyUse.passkeyId, set: { lastUsedAt: usedAt } });
      await recordAuthEvent(tx, {
        action: "auth.passkey_used",
        userId,
        headers: ctx.headers,
        details: { passkeyId: used.id, name: used.name },
      });
    }
    await recordAuthEvent(tx, { action: "auth.sign_in", userId, headers: ctx.headers, details: { method: "passkey" } });
  });
}

/**
 * Audit and last-used bookkeeping for better-auth's passkey endpoints. The passkey plugin writes its
 * own table; Gatehouse only records what happened, after the endpoint has answered. Key material
 * never reaches the audit log: only the passkey's id and name do.
 */
export function passkeyBookkeeping({ db }: { db: Database }): BetterAuthPlugin {
  const recording = (path: string, record: (db: Database, ctx: PasskeyHookContext) => Promise<void>) =>
    hook(path, async (ctx) => record(db, ctx));
  return authPlugin({
    id: "gatehouse-passkey-bookkeeping",
    after: [
      recording("/passkey/verify-registration", recordPasskeyRegistration),
      recording("/passkey/delete-passkey", recordPasskeyRemoval),
      recording("/passkey/verify-authentication", recordPasskeySignIn),
    ],
  });
}
