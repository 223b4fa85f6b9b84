import { AsyncLocalStorage } from "node:async_hooks";
import type { Executor } from "@/db/client";

/**
 * The Gatehouse transaction better-auth is writing through, when `withAuthWrites` runs its writes
 * inside one. Its own module so that the instance's database hooks (auth.ts) and `withAuthWrites`
 * (auth-writes.ts, which needs the instance's type) share it without importing each other.
 */
const activeTransaction = new AsyncLocalStorage<Executor>();

/** The Gatehouse transaction better-auth is currently writing through, if any (for database hooks). */
export function activeAuthTransaction(): Executor | undefined {
  return activeTransaction.getStore();
}

/** Runs `work` with `tx` as the transaction better-auth's database hooks join. */
export function runInAuthTransaction<R>(tx: Executor, work: () => R): R {
  return activeTransaction.run(tx, work);
}
