import { TRPCError } from "@trpc/server";
import { randomUUID } from "node:crypto";
import { expect } from "vitest";

/** "ok" when the call succeeds, else the tRPC error code: the cell value of an allow/deny matrix. */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

/** The TRPCError a call must fail with, for asserting its code and message. */
export async function rejection(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

let sequence = 0;

/** A name no other test uses (letters, digits and hyphens), so tests do not depend on each other's rows. */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}-${randomUUID().slice(0, 6)}`;
}
