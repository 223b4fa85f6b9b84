import type { z } from "zod";
import type { CanFlags, Meta } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

/**
 * What the router walks (`server/trpc/*.test.ts`) read of the router: every procedure with its meta,
 * the procedures some `can` flag predicts, and the inputs a query is called with, derived from what
 * each procedure declares so that a new procedure needs no table entry in the walks.
 */

export interface WalkedProcedure {
  _def: { type: "query" | "mutation" | "subscription"; meta?: Meta; inputs: unknown[] };
}

export const procedures = (appRouter as unknown as { _def: { procedures: Record<string, WalkedProcedure> } })._def.procedures;

/** A query's declared flag sets: one for a list's items, several for a detail with rows inside it. */
export function flagSetsOf(name: string): CanFlags<unknown, unknown>[] {
  const can = procedures[name]?._def.meta?.can;
  if (!can) return [];
  return Array.isArray(can) ? [...can] : [can as CanFlags<unknown, unknown>];
}

/** The queries whose rows carry `can` flags. */
export const flaggedQueries = Object.entries(procedures)
  .filter(([, procedure]) => procedure._def.type === "query" && procedure._def.meta?.can)
  .map(([name]) => name);

/** Every procedure some flag predicts: the can-flags walk calls each as every role on every row. */
export const predictedProcedures: ReadonlySet<string> = new Set(
  flaggedQueries.flatMap((name) => flagSetsOf(name).flatMap((can) => Object.values(can.flags).map(({ procedure }) => procedure))),
);

function inputSchemaOf(name: string): z.ZodType | undefined {
  return procedures[name]?._def.inputs[0] as z.ZodType | undefined;
}

/**
 * The input of a query that needs nothing of the caller's choosing: nothing for a query without
 * input, `{}` for a list whose every field is optional. Null for a detail, which needs a row's id.
 */
export function openInputOf(name: string): { input: unknown } | null {
  const schema = inputSchemaOf(name);
  if (!schema) return { input: undefined };
  if (schema.safeParse({}).success) return { input: {} };
  if (schema.safeParse(undefined).success) return { input: undefined };
  return null;
}

/** The list a detail query opens rows of: `users.get` ← `users.list`. */
export function listOf(detail: string): string {
  return `${detail.split(".")[0]}.list`;
}

/** The rows of a list's output: a page's items, or the array itself. */
export function rowsOfList(output: unknown): Record<string, unknown>[] {
  if (Array.isArray(output)) return output as Record<string, unknown>[];
  const items = (output as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? (items as Record<string, unknown>[]) : [];
}

/**
 * The input that opens `row` in a detail query: each field the query's input declares, read from the
 * row's field of the same name (`users.get {id}` from a users row, `clients.get {clientId}` from a
 * client row). Undefined when the row lacks what the schema needs.
 */
export function detailInputFrom(name: string, row: Record<string, unknown>): unknown {
  const schema = inputSchemaOf(name) as (z.ZodType & { shape?: Record<string, unknown> }) | undefined;
  const fields = Object.keys(schema?.shape ?? {});
  const input = Object.fromEntries(fields.filter((field) => typeof row[field] === "string").map((field) => [field, row[field]]));
  return schema?.safeParse(input).success ? input : undefined;
}

/**
 * Why the walks cannot call a query on their own, or null when they can: a detail needs a list in
 * its router (`<router>.list`) whose rows carry the fields its input declares.
 */
export function underivableQuery(name: string): string | null {
  if (openInputOf(name)) return null;
  const list = listOf(name);
  if (!procedures[list] || !openInputOf(list)) {
    return `${name} takes an input the walks cannot derive: give its router a ${list} query whose rows carry the fields of ${name}'s input.`;
  }
  return null;
}

/**
 * A row's identity across the answers different callers get: its id fields (`id`, `…Id`), so that
 * a row one role sees can be told missing from another role's answer.
 */
export function rowIdentity(row: unknown): string {
  const entries = Object.entries(row as Record<string, unknown>)
    .filter(([key, value]) => (key === "id" || key.endsWith("Id")) && (typeof value === "string" || value === null))
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

/** Calls `path` on a tRPC caller. */
export function procedureOf(caller: unknown, path: string): (input: unknown) => Promise<unknown> {
  const [namespace, name] = path.split(".") as [string, string];
  const procedure = (caller as Record<string, Record<string, ((input: unknown) => Promise<unknown>) | undefined> | undefined>)[namespace]?.[name];
  if (!procedure) throw new Error(`${path} is not a procedure of the app router.`);
  return procedure;
}
