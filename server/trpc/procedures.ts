import { TRPCError } from "@trpc/server";
import type { z } from "zod";
import type { Authority } from "@/server/authz/authority";
import { authorizeIn } from "@/server/authz/guard";
import { requireRecentAuthentication } from "@/server/auth/step-up";
import type { Permission } from "@/server/shared/permissions";
import { enrolmentRequiredMessage, mfaEnrolmentMissing } from "@/server/users/mfa";
import type { Context } from "./context";
import { baseProcedure, type CanFlags, type Meta, type StepUp } from "./init";

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

/**
 * The step-up the procedure's meta declares, enforced here for every builder: the procedure runs
 * only if the sign-in behind the call (the session's, or the one a token was authorized in) is at
 * most ten minutes old.
 */
async function requireDeclaredStepUp(ctx: Context, meta: Meta | undefined, getRawInput: () => Promise<unknown>): Promise<void> {
  const stepUp = meta?.stepUp;
  if (!stepUp || !ctx.session) return;
  if (stepUp.when && !(await stepUp.when(ctx, await getRawInput()))) return;
  await requireRecentAuthentication(ctx.db, ctx.session, stepUp.action);
}

/**
 * A `StepUp.when` over the procedure's own input schema. Input the schema refuses needs no step-up:
 * the procedure refuses it anyway.
 */
export function stepUpWhen<Schema extends z.ZodType>(
  schema: Schema,
  raises: (ctx: Context, input: z.output<Schema>) => boolean | Promise<boolean>,
): NonNullable<StepUp["when"]> {
  return (ctx, rawInput) => {
    const parsed = schema.safeParse(rawInput);
    return parsed.success ? raises(ctx, parsed.data) : false;
  };
}

/** Any signed-in user, acting on their own account (personal scope needs no role). */
export const protectedProcedure = authenticated.meta({ access: { kind: "personal" } }).use(async ({ ctx, meta, getRawInput, next }) => {
  await requireDeclaredStepUp(ctx, meta, getRawInput);
  return next();
});

/** Personal procedures that enrolling a second factor needs, open even to a user who must enrol first. */
export const enrolmentProcedure = authenticated
  .meta({ access: { kind: "personal" }, beforeMfaEnrolment: true })
  .use(async ({ ctx, meta, getRawInput, next }) => {
    await requireDeclaredStepUp(ctx, meta, getRawInput);
    return next();
  });

export function describePermissions(permissions: readonly Permission[]): string {
  return permissions.length === 1 ? `the ${permissions[0]} permission` : `the permissions ${permissions.join(", ")}`;
}

/**
 * The permissions of `required` that the caller holds nowhere: what a permission procedure refuses
 * on, and what decides which console pages `me.console` lists.
 */
export function permissionsLacking(authority: Authority, required: readonly Permission[]): Permission[] {
  return required.filter((permission) => !authority.hasAnywhere(permission));
}

/**
 * Requires every listed permission in at least one scope (global or some domain). Which domain a
 * row is in is only known to the resolver, so resolvers finish the check with `authorizeIn`.
 */
export function permissionProcedure(...permissions: [Permission, ...Permission[]]) {
  return authenticated.meta({ access: { kind: "permissions", permissions } }).use(async ({ ctx, meta, getRawInput, next }) => {
    const access = meta?.access;
    // The meta is the single source of truth; a procedure that overwrote it is refused, not opened.
    const required = access?.kind === "permissions" ? access.permissions : permissions;
    const authority = await ctx.authority();
    const missing = permissionsLacking(authority, required);
    if (missing.length > 0) {
      throw new TRPCError({ code: "FORBIDDEN", message: `You need ${describePermissions(missing)}.` });
    }
    await requireDeclaredStepUp(ctx, meta, getRawInput);
    return next({ ctx: { ...ctx, authority } });
  });
}

/**
 * A procedure acting on one row of a domain-scoped resource. Before the resolver runs it loads the
 * row named by the input, and checks `permission` in the row's domain: a row the caller cannot see
 * (no `visibleWith` there) is NOT_FOUND, exactly like an id that does not exist; a row they can see
 * but not change is FORBIDDEN. The resolver gets the row as `ctx.row`.
 */
export function rowProcedure<Schema extends z.ZodType, Row extends { domainId: string | null }>(options: {
  permission: Permission;
  visibleWith: Permission;
  input: Schema;
  load: (db: Context["db"], input: z.output<Schema>) => Promise<Row | undefined>;
  notFound: string;
}) {
  const { permission, visibleWith, input, load, notFound } = options;
  return permissionProcedure(permission)
    .input(input)
    .use(async ({ ctx, input: parsed, next }) => {
      const row = await load(ctx.db, parsed as z.output<Schema>);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: notFound });
      authorizeIn(ctx.authority, { permission, domainId: row.domainId, visibleWith, notFound });
      return next({ ctx: { ...ctx, row } });
    });
}

/** Types a query's `can` meta against its own output; the walk in can-flags.test.ts reads it. */
export function canFlags<Output, Row>(flags: CanFlags<Output, Row>): CanFlags<Output, Row> {
  return flags;
}

// Most queries answer their rows in one of three ways; these say which, so a router declares only its flags.

/** The `can` meta of a query that answers a page (`{ items, nextCursor }`): each item carries the flags. */
export function canFlagsOfPage<Row>(flags: CanFlags<unknown, Row>["flags"]): CanFlags<{ items: readonly Row[] }, Row> {
  return { rows: (page) => page.items, flags };
}

/** The `can` meta of a query that answers an array whose every element carries the flags. */
export function canFlagsOfArray<Row>(flags: CanFlags<unknown, Row>["flags"]): CanFlags<readonly Row[], Row> {
  return { rows: (rows) => rows, flags };
}

/** The `can` meta of a query that answers one object carrying its own flags (a detail). */
export function canFlagsOfObject<Row>(flags: CanFlags<unknown, Row>["flags"]): CanFlags<Row, Row> {
  return { rows: (object) => [object], flags };
}

/**
 * Whether a check the matching mutation runs would let the caller through, for a `can` flag: the
 * flag is computed by the very rule the mutation enforces, so the two cannot drift apart. Only a
 * refusal (FORBIDDEN or NOT_FOUND) makes it false; any other error is a real failure.
 */
export async function allows(check: () => unknown): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "FORBIDDEN" || error.code === "NOT_FOUND")) return false;
    throw error;
  }
}
