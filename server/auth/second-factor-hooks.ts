import type { GenericEndpointContext } from "better-auth";
import { isAPIError } from "better-auth/api";
import { symmetricDecrypt } from "better-auth/crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { twoFactor } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { storedSecretHash } from "@/server/oauth/config";

/**
 * Backup codes are stored as these digests only. The prefix tells a digest from a code, so storing a
 * list that already holds digests (the plugin re-stores the remaining ones after each use) leaves it
 * as it is.
 */
const BACKUP_CODE_DIGEST_PREFIX = "sha256:";

/**
 * The plugin's codes are ten random letters and digits around a dash, case-sensitive. Spaces and the
 * dash carry no information, so people may type them or leave them out; case does, so it stays.
 */
function backupCodeDigest(code: string): string {
  return BACKUP_CODE_DIGEST_PREFIX + storedSecretHash(code.replace(/[\s-]+/g, ""));
}

function digestAll(codes: unknown): string {
  const list = Array.isArray(codes) ? codes.filter((code): code is string => typeof code === "string") : [];
  return JSON.stringify(list.map((code) => (code.startsWith(BACKUP_CODE_DIGEST_PREFIX) ? code : backupCodeDigest(code))));
}

/**
 * The twoFactor plugin's `storeBackupCodes`: it hands over the JSON list to keep and compares the
 * submitted code with what it reads back, so the stored list and the submitted code (see the before
 * hook) are both SHA-256 digests. The codes are random and long, so a plain hash is enough, as for
 * OAuth secrets. The plugin shows new codes to the user once, before they reach this.
 *
 * Lists written before this (encrypted with the auth secret, not JSON) are read the old way and
 * become digests the next time the plugin stores them.
 */
export function hashedBackupCodes(secret: string) {
  return {
    encrypt: async (json: string) => digestAll(JSON.parse(json)),
    decrypt: async (stored: string) => {
      const json = stored.startsWith("[") ? stored : await symmetricDecrypt({ key: secret, data: stored });
      return digestAll(JSON.parse(json));
    },
  };
}

const VERIFY_BACKUP_CODE_PATH = "/two-factor/verify-backup-code";

/** The user a pending two-factor sign-in belongs to, from the plugin's signed challenge cookie; "" when there is none. */
export async function pendingSignInUserId(ctx: GenericEndpointContext): Promise<string> {
  const cookie = ctx.context.createAuthCookie("two_factor");
  const identifier = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
  if (!identifier) return "";
  const pending = await ctx.context.internalAdapter.findVerificationValue(identifier);
  return pending?.value ?? "";
}

/**
 * Gatehouse's part of `/two-factor/verify-totp` and `/two-factor/verify-backup-code` besides the
 * lockouts (plugins/second-factor-lockout.ts): hashed backup codes, and an audit row for each used one.
 */
export function createSecondFactorHooks({ db }: { db: Database }) {
  async function remainingBackupCodes(userId: string): Promise<number | null> {
    const [row] = await db.select({ backupCodes: twoFactor.backupCodes }).from(twoFactor).where(eq(twoFactor.userId, userId)).limit(1);
    if (!row?.backupCodes.startsWith("[")) return null;
    const codes: unknown = JSON.parse(row.backupCodes);
    return Array.isArray(codes) ? codes.length : null;
  }

  return {
    async before(ctx: GenericEndpointContext) {
      const body = ctx.body as Record<string, unknown> | undefined;
      if (ctx.path === VERIFY_BACKUP_CODE_PATH && typeof body?.code === "string") {
        return { context: { body: { ...body, code: backupCodeDigest(body.code) } } };
      }
      return undefined;
    },

    async after(ctx: GenericEndpointContext & { context: { returned?: unknown } }, { userId }: { userId: string | null }) {
      if (isAPIError(ctx.context.returned) || ctx.path !== VERIFY_BACKUP_CODE_PATH || !userId) return;
      await recordAuthEvent(db, {
        action: "auth.backup_code_used",
        userId,
        headers: ctx.headers,
        details: { remaining: await remainingBackupCodes(userId) },
      });
    },
  };
}
