import { createDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { DomainError } from "@/server/errors";
import type { ServerEnv } from "@/server/env";

/** A failure the operator can fix; its message is printed as is, on one line. */
export class StartupError extends Error {}

/** Hides credentials that may sit in a database URL before it is printed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@").replace(/(authToken|auth_token)=[^&]*/gi, "$1=***");
}

/** The innermost cause says most ("getaddrinfo ENOTFOUND" rather than "fetch failed"). */
function reason(error: unknown): string {
  let innermost = error;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  return message.split("\n")[0] ?? message;
}

export async function openMigratedDatabase(env: ServerEnv): Promise<DatabaseHandle> {
  const where = redactUrl(env.databaseUrl);
  let handle: DatabaseHandle;
  try {
    handle = createDatabase(env.databaseUrl, env.databaseAuthToken);
  } catch (error) {
    throw new StartupError(`cannot open the database at ${where} (DATABASE_URL): ${reason(error)}`);
  }
  try {
    await migrateDatabase(handle, env.databaseUrl);
  } catch (error) {
    handle.client.close();
    throw new StartupError(`cannot migrate the database at ${where} (DATABASE_URL): ${reason(error)}`);
  }
  return handle;
}

/** Turns field errors from validating GATEHOUSE_ADMIN_* into a sentence that names the variables. */
export function describeStartupError(error: unknown): string {
  if (error instanceof DomainError && error.fields) {
    const variables: Record<string, string> = {
      email: "GATEHOUSE_ADMIN_EMAIL",
      password: "GATEHOUSE_ADMIN_PASSWORD",
    };
    return Object.entries(error.fields)
      .map(([field, message]) => `${variables[field] ?? field}: ${message}`)
      .join(" ");
  }
  return error instanceof Error ? error.message : String(error);
}
