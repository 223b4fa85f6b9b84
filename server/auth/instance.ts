import "server-only";
import { getEnv } from "@/server/env";
import { getAppDatabase } from "@/server/db";
import { createAuth, type Auth } from "./auth";

let instance: Auth | undefined;

/** Built on first use so that `next build` never opens the database. */
export function getAuth(): Auth {
  if (!instance) {
    const env = getEnv();
    instance = createAuth({
      db: getAppDatabase().db,
      publicUrl: env.publicUrl,
      secret: env.authSecret,
      signup: env.signup,
    });
  }
  return instance;
}
