import { runWithAdapter } from "@better-auth/core/context";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { Executor } from "@/db/client";
import * as schema from "@/db/schema";
import type { Auth } from "./auth";
import { runInAuthTransaction } from "./auth-transaction";

type InternalAdapter = Awaited<Auth["$context"]>["internalAdapter"];

/**
 * Runs better-auth's own writes (its internal adapter: users, accounts, sessions) inside a Gatehouse
 * transaction, so they commit or roll back together with the audit row and our own tables. The
 * tables stay better-auth's: its adapter, hooks and password hashing do the work.
 */
export async function withAuthWrites<R>(
  auth: Auth,
  tx: Executor,
  work: (internal: InternalAdapter, context: Awaited<Auth["$context"]>) => Promise<R>,
): Promise<R> {
  const context = await auth.$context;
  const adapter = drizzleAdapter(tx as never, { provider: "sqlite", schema, transaction: false })(context.options);
  return runInAuthTransaction(tx, () => runWithAdapter(adapter, () => work(context.internalAdapter, context)));
}
