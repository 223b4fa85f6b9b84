import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Permission } from "@/server/authz/permissions";
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

export interface Meta {
  /** Human-readable summary of what the procedure does, shown in generated docs and MCP tooling. */
  description?: string;
  access?: Access;
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
      const fieldErrors = zodError ? z.flattenError(zodError).fieldErrors : undefined;
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
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;
export const baseProcedure = t.procedure;
