/**
 * `npm run clients:remove-unused`: removes self-registered clients that have had no grant for
 * GATEHOUSE_UNUSED_CLIENT_DAYS days, as every running instance does once an hour, and exits.
 */
import { parseEnv } from "@/server/env";
import { removeUnusedClients } from "@/server/oauth/unused-clients";
import { openMigratedDatabase } from "./startup";

async function main() {
  const env = parseEnv();
  const handle = await openMigratedDatabase(env);
  try {
    const removed = await removeUnusedClients(handle.db, env.oauth.unusedClientDays);
    console.info(`Removed ${removed.length} self-registered ${removed.length === 1 ? "client" : "clients"} unused for ${env.oauth.unusedClientDays} days.`);
  } finally {
    handle.client.close();
  }
}

main().catch((error: unknown) => {
  console.error(`Removing unused clients failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
