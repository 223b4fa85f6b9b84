import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Context } from "./context";

export interface Meta {
  /** Human-readable summary of what the procedure does, shown in generated docs and MCP tooling. */
  description?: string;
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
      const fieldErrors =
        error.cause instanceof ZodError ? z.flattenError(error.cause).fieldErrors : undefined;
      // The default shape carries the stack in development; never send it, nor a database message.
      return {
        message: internal ? INTERNAL_MESSAGE : shape.message,
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
