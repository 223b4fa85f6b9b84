import { TRPCError } from "@trpc/server";
import type { Permission } from "@/server/authz/permissions";
import { enrolmentRequiredMessage, mfaEnrolmentMissing } from "@/server/users/mfa";
import { baseProcedure } from "./init";

export const publicProcedure = baseProcedure.meta({ access: { kind: "public" } });

const signedIn = baseProcedure.use(({ ctx, next }) => {
  if (!ctx.session || !ctx.user) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.user } });
});

/** A user whose role or domain requires a second factor can do nothing but enrol one until they have. */
const authenticated = signedIn.use(async ({ ctx, meta, next }) => {
  if (!meta?.beforeMfaEnrolment && (await mfaEnrolmentMissing(ctx.db, ctx.user.id))) {
    throw new TRPCError({ code: "FORBIDDEN", message: enrolmentRequiredMessage(await ctx.mfaRequirement(ctx.user.id)) });
  }
  return next();
});

/** Any signed-in user, acting on their own account (personal scope needs no role). */
export const protectedProcedure = authenticated.meta({ access: { kind: "personal" } });

/** Personal procedures that enrolling a second factor needs, open even to a user who must enrol first. */
export const enrolmentProcedure = authenticated.meta({ access: { kind: "personal" }, beforeMfaEnrolment: true });

export function describePermissions(permissions: readonly Permission[]): string {
  return permissions.length === 1 ? `the ${permissions[0]} permission` : `the permissions ${permissions.join(", ")}`;
}

/**
 * Requires every listed permission in at least one scope (global or some domain). Which domain a
 * row is in is only known to the resolver, so resolvers finish the check with `authorizeIn`.
 */
export function permissionProcedure(...permissions: [Permission, ...Permission[]]) {
  return authenticated.meta({ access: { kind: "permissions", permissions } }).use(async ({ ctx, meta, next }) => {
    const access = meta?.access;
    // The meta is the single source of truth; a procedure that overwrote it is refused, not opened.
    const required = access?.kind === "permissions" ? access.permissions : permissions;
    const grants = await ctx.grants();
    const missing = required.filter((permission) => !grants.hasAnywhere(permission));
    if (missing.length > 0) {
      throw new TRPCError({ code: "FORBIDDEN", message: `You need ${describePermissions(missing)}.` });
    }
    return next({ ctx: { ...ctx, grants } });
  });
}
