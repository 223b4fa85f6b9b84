import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { OWNER_ROLE_ID, roleAssignment, setupToken } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { SYSTEM_ACTOR, recordEvent, type AuditActor } from "@/server/audit/record";
import { ownerExists } from "@/server/authz/owner";
import { EMAIL_TAKEN, assertEmailFree, createAccount, hashPassword } from "@/server/users/accounts";
import { DomainError } from "@/server/errors";
import { displayNameSchema, emailSchema, passwordSchema } from "@/server/validation/password";

export const SETUP_TOKEN_TTL_MS = 60 * 60 * 1000;

export interface SetupDependencies {
  db: Database;
  auth: Auth;
}

export const ownerInputSchema = z.object({
  name: displayNameSchema,
  email: emailSchema,
  password: passwordSchema,
});

export type OwnerInput = z.input<typeof ownerInputSchema>;

function hashToken(raw: string): string {
  return createHash("sha256").update(raw).digest("hex");
}

export function parseOwnerInput(input: unknown): z.output<typeof ownerInputSchema> {
  const result = ownerInputSchema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    fields[field] ??= issue.message;
  }
  throw new DomainError("INVALID_INPUT", "Some fields need attention.", fields);
}

/**
 * Issues a fresh setup link token. Older unused tokens are dropped so that only the link printed
 * by the latest start works.
 */
export async function issueSetupToken(db: Database, now = new Date()): Promise<string> {
  const raw = randomBytes(32).toString("base64url");
  await db.transaction(async (tx) => {
    await tx.delete(setupToken).where(isNull(setupToken.usedAt));
    await tx.insert(setupToken).values({
      tokenHash: hashToken(raw),
      createdAt: now,
      expiresAt: new Date(now.getTime() + SETUP_TOKEN_TTL_MS),
    });
  });
  return raw;
}

export async function isSetupTokenUsable(db: Database, raw: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .select({ tokenHash: setupToken.tokenHash })
    .from(setupToken)
    .where(and(eq(setupToken.tokenHash, hashToken(raw)), isNull(setupToken.usedAt), gt(setupToken.expiresAt, now)))
    .limit(1);
  return rows.length > 0;
}

/** Marks the token used in one statement, so two concurrent submissions cannot both win. */
async function claimSetupToken(db: Database, raw: string, now: Date): Promise<boolean> {
  const claimed = await db
    .update(setupToken)
    .set({ usedAt: now })
    .where(and(eq(setupToken.tokenHash, hashToken(raw)), isNull(setupToken.usedAt), gt(setupToken.expiresAt, now)))
    .returning({ tokenHash: setupToken.tokenHash });
  return claimed.length > 0;
}

async function releaseSetupToken(db: Database, raw: string): Promise<void> {
  await db.update(setupToken).set({ usedAt: null }).where(eq(setupToken.tokenHash, hashToken(raw)));
}

/**
 * Creates the owner through better-auth's own adapter and password hasher. Public sign-up is
 * closed until an owner exists, so this path cannot go through the sign-up endpoint.
 */
export async function createOwner(
  { db, auth }: SetupDependencies,
  input: unknown,
  via: { actor: AuditActor; method: "setup_link" | "environment" } = { actor: SYSTEM_ACTOR, method: "environment" },
): Promise<{ userId: string }> {
  const { name, email, password } = parseOwnerInput(input);
  const passwordHash = await hashPassword(auth, password);
  const userId = await db.transaction(async (tx) => {
    try {
      await assertEmailFree(tx, email);
    } catch {
      throw new DomainError("EMAIL_TAKEN", EMAIL_TAKEN, { email: EMAIL_TAKEN });
    }
    // The account, its credential, the owner role and the audit row commit together or not at all.
    const user = await createAccount(auth, tx, { email, name, emailVerified: true, passwordHash });
    await tx.insert(roleAssignment).values({ id: randomUUID(), userId: user.id, roleId: OWNER_ROLE_ID, domainId: null });
    // The link's visitor becomes the owner, so they are the actor; environment credentials are the system's.
    const actor = via.method === "setup_link" ? { ...via.actor, userId: user.id } : via.actor;
    await recordEvent(tx, actor, {
      action: "owner.bootstrapped",
      targetType: "user",
      targetId: user.id,
      details: { email, method: via.method },
    });
    return user.id;
  });
  return { userId };
}

/** `/setup?token=…`: the token is single-use, and the page is gone once an owner exists. */
export async function completeSetup(
  deps: SetupDependencies,
  token: string,
  input: unknown,
  now = new Date(),
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<{ userId: string }> {
  if (await ownerExists(deps.db)) throw new DomainError("SETUP_COMPLETE", "Setup is already complete.");
  parseOwnerInput(input);
  if (!(await claimSetupToken(deps.db, token, now))) {
    throw new DomainError(
      "SETUP_TOKEN_INVALID",
      "This setup link is invalid, used or expired. Restart Gatehouse to print a new one.",
    );
  }
  try {
    return await createOwner(deps, input, { actor: { ...actor, via: "web" }, method: "setup_link" });
  } catch (error) {
    // The link stays usable when the account could not be created, e.g. for a taken email.
    await releaseSetupToken(deps.db, token);
    throw error;
  }
}

export type BootstrapResult =
  | { kind: "exists" }
  | { kind: "created"; email: string }
  | { kind: "link"; url: string; expiresAt: Date };

/** Run once at start: configured admin credentials create the owner, otherwise a setup link is issued. */
export async function bootstrapOwner(
  deps: SetupDependencies,
  options: { publicUrl: string; adminEmail?: string; adminPassword?: string },
  now = new Date(),
): Promise<BootstrapResult> {
  if (await ownerExists(deps.db)) return { kind: "exists" };
  if (options.adminEmail && options.adminPassword) {
    try {
      await createOwner(deps, { name: "Owner", email: options.adminEmail, password: options.adminPassword });
    } catch (error) {
      // Several instances starting at once all find no owner; the one that loses the race finds it now.
      if (await ownerExists(deps.db)) return { kind: "exists" };
      throw error;
    }
    return { kind: "created", email: options.adminEmail };
  }
  const token = await issueSetupToken(deps.db, now);
  return {
    kind: "link",
    url: `${options.publicUrl}/setup?token=${token}`,
    expiresAt: new Date(now.getTime() + SETUP_TOKEN_TTL_MS),
  };
}
