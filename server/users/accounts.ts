import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { user } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { withAuthWrites } from "@/server/auth/auth-writes";

/**
 * Accounts written through better-auth's internal adapter, for the users commands, invitations and
 * the first owner's setup alike: its hasher and its tables, inside the caller's transaction.
 */

export const EMAIL_TAKEN = "An account with this email already exists.";

export async function assertEmailFree(db: Executor, email: string): Promise<void> {
  const [existing] = await db.select({ id: user.id }).from(user).where(eq(user.email, email)).limit(1);
  if (existing) throw new TRPCError({ code: "CONFLICT", message: EMAIL_TAKEN });
}

/** better-auth's own hasher (scrypt), so the credential is one better-auth can verify at sign-in. */
export async function hashPassword(auth: Auth, password: string): Promise<string> {
  const context = await auth.$context;
  return context.password.hash(password);
}

/**
 * Creates a user through better-auth's internal adapter inside `tx`, with a credential account when
 * a password hash is given. The user.create hook adds the default memberships in the same `tx`.
 */
export async function createAccount(
  auth: Auth,
  tx: Executor,
  account: { email: string; name: string; emailVerified: boolean; passwordHash?: string },
): Promise<{ id: string; email: string; name: string }> {
  return withAuthWrites(auth, tx, async (internal) => {
    const created = await internal.createUser(
      { email: account.email, name: account.name, emailVerified: account.emailVerified },
      { method: "email-password" },
    );
    if (account.passwordHash !== undefined) {
      await linkPassword(internal, created.id, account.passwordHash);
    }
    return { id: created.id, email: created.email, name: created.name };
  });
}

type InternalAdapter = Parameters<Parameters<typeof withAuthWrites>[2]>[0];

export async function linkPassword(internal: InternalAdapter, userId: string, passwordHash: string): Promise<void> {
  await internal.linkAccount({ providerId: "credential", accountId: userId, userId, password: passwordHash });
}
