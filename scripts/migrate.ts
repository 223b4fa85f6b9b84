/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL and exits. */
import { parseEnv } from "@/server/env";
import { openMigratedDatabase, redactUrl } from "./startup";

async function main() {
  const env = parseEnv();
  const handle = await openMigratedDatabase(env);
  handle.client.close();
  console.info(`Database at ${redactUrl(env.databaseUrl)} is up to date.`);
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
