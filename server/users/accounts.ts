import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { MEMBER_ROLE_ID, domain, roleAssignment, user } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { withAuthWrites } from "@/server/auth/auth-writes";
import type { Authority } from "@/server/authz/authority";
import { authorizeIn, assertHoldsAll } from "@/server/authz/guard";
import { claimingDomainOf, emailDomainOf } from "@/server/authz/membership";
import { findRole, permissionsOfRole } from "@/server/authz/roles";

export const EMAIL_TAKEN = "An account with this email already exists.";

/** Where a new account is placed: a role in a domain, or in the global scope when `domainId` is null. */
export interface Placement {
  roleId: string;
  domainId: string | null;
}

/**
 * Checks that the caller may create an account in the requested scope with the requested role:
 * users:write there (an unreadable domain is NOT_FOUND), and every permission the role carries.
 */
export async function authorizePlacement(
  db: Executor,
  authority: Authority,
  requested: { roleId?: string | undefined; domainId?: string | undefined },
): Promise<Placement> {
  const domainId = requested.domainId ?? null;
  if (domainId === null) {
    if (!authority.has("users:write", null)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: "You need the users:write permission globally; choose one of your domains instead.",
      });
    }
  } else {
    authorizeIn(authority, { permission: "users:write", domainId, visibleWith: "users:read", notFound: "Domain not found." });
    const [row] = await db.select({ id: domain.id }).from(domain).where(eq(domain.id, domainId)).limit(1);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Domain not found." });
  }

  const roleId = (await findRole(db, requested.roleId ?? MEMBER_ROLE_ID)).id;
  const permissions = await permissionsOfRole(db, roleId);
  if (permissions.length > 0 && !authority.has("roles:admin", domainId)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `You need the roles:admin permission ${domainId === null ? "globally" : "in this domain"} to give a new account a role with permissions.`,
    });
  }
  assertHoldsAll(authority, permissions, domainId, "grant");
  return { roleId, domainId };
}

/**
 * A verified address makes its account a member of the domain that claims the address's email
 * domain. Only someone who may write users there (or globally) may create an account with such an
 * address: otherwise a domain administrator could plant an account whose password they know in a
 * tenant they do not run, to be let in as soon as its owner confirms the address.
 */
export async function assertMayUseEmailDomain(db: Executor, authority: Authority, email: string): Promise<void> {
  const claimedBy = await claimingDomainOf(db, email);
  if (claimedBy === null || authority.has("users:write", claimedBy)) return;
  throw new TRPCError({
    code: "FORBIDDEN",
    message: `Addresses at ${emailDomainOf(email)} belong to a domain you do not administer. Ask one of its administrators, or a global administrator, to create this account.`,
  });
}

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

/** Gives a new account its requested role. Global member is already there from the default memberships. */
export async function assignPlacement(tx: Executor, userId: string, placement: Placement): Promise<void> {
  if (placement.roleId === MEMBER_ROLE_ID && placement.domainId === null) {
    const [existing] = await tx
      .select({ id: roleAssignment.id })
      .from(roleAssignment)
      .where(and(eq(roleAssignment.userId, userId), eq(roleAssignment.roleId, MEMBER_ROLE_ID), isNull(roleAssignment.domainId)))
      .limit(1);
    if (existing) return;
  }
  // The email-domain claim may already have made the account a member of the same domain.
  await tx
    .insert(roleAssignment)
    .values({ id: randomUUID(), userId, roleId: placement.roleId, domainId: placement.domainId })
    .onConflictDoNothing();
}
