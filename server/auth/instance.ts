import "server-only";
import type Redis from "ioredis";
import { getEnv, metadataDocumentFetchOptions } from "@/server/env";
import { getAppDatabase } from "@/server/db";
import { createSendEmail } from "@/server/email/send";
import { startUnusedClientSweep } from "@/server/oauth/unused-clients";
import { openAuth, type Auth } from "./auth";
import { connectRedis } from "./redis";

let instance: Promise<Auth> | undefined;
// Kept apart from the instance so that a failed start, retried on the next request, reuses it.
let redis: Redis | undefined;

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
      redis: env.redisUrl ? (redis ??= connectRedis(env.redisUrl)) : undefined,
      sendEmail: createSendEmail({ db, settings: env.email }),
      metadataDocuments: metadataDocumentFetchOptions(env),
    });
    instance.then(
      () => startUnusedClientSweep(db, env.oauth.unusedClientDays),
      () => {
        instance = undefined;
      },
    );
  }
  return instance;
}
