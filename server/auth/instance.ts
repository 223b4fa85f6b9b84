import "server-only";
import { getEnv } from "@/server/env";
import { getAppDatabase } from "@/server/db";
import { openAuth, type Auth } from "./auth";

let instance: Promise<Auth> | undefined;

/** Built on first use so that `next build` never opens the database. */
export function getAuth(): Promise<Auth> {
  if (!instance) {
    const env = getEnv();
    instance = openAuth({
      db: getAppDatabase().db,
      publicUrl: env.publicUrl,
      secret: env.authSecret,
      signup: env.signup,
      oauth: env.oauth,
    });
    instance.catch(() => {
      instance = undefined;
    });
  }
  return instance;
}
