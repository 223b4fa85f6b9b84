import "server-only";
import { getEnv } from "@/server/env";
import { getAppDatabase } from "@/server/db";
import { createSendEmail } from "@/server/email/send";
import { openAuth, type Auth } from "./auth";

let instance: Promise<Auth> | undefined;

/** Built on first use so that `next build` never opens the database. */
export function getAuth(): Promise<Auth> {
  if (!instance) {
    const env = getEnv();
    const { db } = getAppDatabase();
    instance = openAuth({
      db,
      publicUrl: env.publicUrl,
      secret: env.authSecret,
      signup: env.signup,
      oauth: env.oauth,
      sendEmail: createSendEmail({ db, settings: env.email }),
    });
    instance.catch(() => {
      instance = undefined;
    });
  }
  return instance;
}
