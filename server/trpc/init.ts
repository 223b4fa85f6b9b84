import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { databaseBusyErrorOf } from "@/db/client";
import { DATABASE_BUSY_MESSAGE } from "@/server/http";
import { ReauthenticationRequired, REAUTH_REQUIRED } from "@/server/auth/step-up";
import type { Permission } from "@/server/shared/permissions";
import type { Context } from "./context";

/**
 * Who may call a procedure. Set by the procedure builders in procedures.ts, never by hand; a test
 * walks the router and fails on a procedure without it.
 */
export type Access =
  | { kind: "public" }
  /** Any signed-in user, acting on their own account only. */
  | { kind: "personal" }
  | { kind: "permissions"; permissions: readonly Permission[] };

/**
 * The ways a call can leave someone with more power than before. Every procedure that can do one of
 * them declares it in its `stepUp` meta, and a test walks the router to hold that list complete.
 */
export const PRIVILEGE_CHANGES = [
  /** Gives a user a role that carries permissions (assigning, reassigning, creating an account with one). */
  "grants-role",
  /** Adds permissions to a role that users hold. */
  "widens-role",
  /** Lifts a second-factor requirement from a role or a domain. */
  "relaxes-mfa",
  /** Lets a client skip consent, or introspect other clients' tokens. */
  "trusts-client",
  /** Sets or removes another account's credentials, or a client's secret. */
  "changes-credentials",
  /** Takes away access or data in bulk: a domain, every grant of a user or client. */
  "destroys-in-bulk",
] as const;
export type PrivilegeChange = (typeof PRIVILEGE_CHANGES)[number];

/**
 * A change that needs the caller to have signed in, or confirmed it is them, in the last ten
 * minutes. Checked by the procedure builders after the permission check and before the input is
 * parsed, so no resolver can forget it.
 */
export interface StepUp {
  /** What the caller is doing, in the words of the refusal: "grant a role". */
  action: string;
  raises: readonly [PrivilegeChange, ...PrivilegeChange[]];
  /**
   * When only some calls raise privileges (a new account given a role with permissions), which ones.
   * Gets the raw input; build it with `stepUpWhen` so that it parses that input with the procedure's
   * schema. Without it every call needs the recent sign-in.
   */
  when?: (ctx: Context, rawInput: unknown) => boolean | Promise<boolean>;
}

/**
 * What a list or detail query tells the console the caller may do with each row it returns. Each
 * row carries `can: { flag: boolean }`; each flag names the procedure it predicts (a mutation, or a
 * query the console would open, such as a detail page) and the input that acts on that row. A walk
 * calls every predicted procedure as every role and holds the flags to what the procedure then
 * allowed, so the console can render from the flags with no rule of its own.
 */
export interface CanFlags<Output = never, Row = never> {
  /** The rows of the output that carry `can`: a list's items, a detail's object. */
  rows: (output: Output) => readonly Row[];
  flags: Record<string, { procedure: string; input: (row: Row) => unknown }>;
}

/** A page of the console, as its navigation links it. */
export interface ConsolePage {
  href: string;
  label: string;
}

export interface Meta {
  /** Human-readable summary of what the procedure does, shown in generated docs and MCP tooling. */
  description?: string;
  access?: Access;
  /**
   * The console page this query backs. `me.console` lists it, in the app router's order, to every
   * caller the query's own access check lets through, and the console's navigation is that list.
   */
  page?: ConsolePage;
  /**
   * Required on every mutation: the step-up it needs, or `false` for a change that raises nobody's
   * privileges. A walk of the router refuses a mutation without it.
   */
  stepUp?: StepUp | false;
  /**
   * Usable by a signed-in user who must enrol a second factor and has not yet: what enrolment
   * itself needs. Everything else refuses them.
   */
  beforeMfaEnrolment?: boolean;
  /**
   * Required on every query that returns rows the console acts on: the `can` flags they carry, or
   * `false` for a query whose rows the caller cannot act on. A walk of the router refuses a query
   * without it.
   */
  // Declared per procedure over its own output; the walk reads it untyped. A detail may declare
  // several sets: the object's own flags and those of rows inside it (a role's holders).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  can?: CanFlags<any, any> | readonly CanFlags<any, any>[] | false;
}

const INTERNAL_MESSAGE = "Something went wrong on our side. The error has been logged.";

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      if (internal) console.error("tRPC internal error", error.cause ?? error);
      const zodError = error.cause instanceof ZodError ? error.cause : undefined;
      const fieldErrors = zodError ? fieldErrorsOf(zodError) : undefined;
      // tRPC's own message for invalid input is the issue list as JSON; a person needs the first sentence.
      const firstIssue = zodError?.issues[0];
      const inputMessage = firstIssue
        ? firstIssue.path.length > 0
          ? `${firstIssue.path.join(".")}: ${firstIssue.message}`
          : firstIssue.message
        : undefined;
      // The default shape carries the stack in development; never send it, nor a database message.
      return {
        message: internal ? INTERNAL_MESSAGE : (inputMessage ?? shape.message),
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          fieldErrors,
          // The console answers this by asking for the password or a code, then retrying.
          reason: error.cause instanceof ReauthenticationRequired ? REAUTH_REQUIRED : undefined,
        },
      };
    },
  });

/**
 * Messages by top-level field, plus by full path for issues inside a list (`redirectUris.2`), so a
 * form can point at the line that is wrong.
 */
function fieldErrorsOf(error: ZodError): Record<string, string[]> {
  const byField: Record<string, string[]> = { ...(z.flattenError(error).fieldErrors as Record<string, string[]>) };
  for (const issue of error.issues) {
    if (issue.path.length < 2) continue;
    const key = issue.path.map(String).join(".");
    (byField[key] ??= []).push(issue.message);
  }
  return byField;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;
/**
 * A write that gave up on a locked database changed nothing and may be repeated: SERVICE_UNAVAILABLE
 * (503), which the HTTP handler pairs with `Retry-After` (see `trpcResponseMeta`).
 */
const busyAsUnavailable = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && databaseBusyErrorOf(result.error) && result.error.code !== "SERVICE_UNAVAILABLE") {
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_BUSY_MESSAGE, cause: result.error.cause });
  }
  return result;
});

export const baseProcedure = t.procedure.use(busyAsUnavailable);
