import type { BetterAuthPlugin } from "better-auth";
import { symmetricDecrypt } from "better-auth/crypto";
import { storedSecretHash } from "@/server/oauth/config";
import { authPlugin, hook } from "./define";

/**
 * Backup codes are stored as these digests only. The prefix tells a digest from a code, so storing a
 * list that already holds digests (the plugin re-stores the remaining ones after each use) leaves it
 * as it is.
 */
const BACKUP_CODE_DIGEST_PREFIX = "sha256:";

const VERIFY_BACKUP_CODE_PATH = "/two-factor/verify-backup-code";

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
 * submitted code with what it reads back, so the stored list and the submitted code (see
 * `backupCodeDigests`) are both SHA-256 digests. The codes are random and long, so a plain hash is
 * enough, as for OAuth secrets. The plugin shows new codes to the user once, before they reach this.
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

/** A submitted backup code reaches the twoFactor plugin as its digest, which is what it compares with the stored list. */
export function backupCodeDigests(): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-backup-code-digests",
    before: [
      hook(VERIFY_BACKUP_CODE_PATH, async (ctx) => {
        const body = ctx.body as Record<string, unknown> | undefined;
        if (typeof body?.code === "string") return { context: { body: { ...body, code: backupCodeDigest(body.code) } } };
      }),
    ],
  });
}
