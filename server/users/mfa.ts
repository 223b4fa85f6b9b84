import type { Executor } from "@/db/client";

export interface MfaStatus {
  enrolled: boolean;
  /** Enrolled second factors, e.g. "totp" or "passkey". */
  methods: string[];
}

/**
 * Which second factors each user has enrolled. better-auth's two-factor and passkey plugins are not
 * installed yet, so no factor can exist and "not enrolled" is the true answer for everyone today;
 * the MFA issue replaces this body with reads of the plugins' tables (one query for all `userIds`).
 */
export async function mfaStatus(_db: Executor, userIds: readonly string[]): Promise<Map<string, MfaStatus>> {
  return new Map(userIds.map((userId) => [userId, { enrolled: false, methods: [] }]));
}
