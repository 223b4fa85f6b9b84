/**
 * `npm start`'s setup, run by scripts/start.mjs as a child process that exits before Next.js serves:
 * checks configuration, migrates the database, makes sure there is a way in for the first owner,
 * builds when the sources changed since the last build, prints where to sign in, and hands the
 * launcher the environment to serve with (over the IPC channel). Loading better-auth, drizzle and
 * the TypeScript loader here, rather than in the launcher, keeps them out of what stays resident.
 * Anything that stops it is reported as one line, never a stack trace, with exit status 1.
 */
import { parseTrustedProxies } from "./client-address.mjs";
import { openAuth } from "@/server/auth/auth";
import { bootstrapOwner } from "@/server/setup/owner";
import { buildIsCurrent, buildProduction } from "./build-fingerprint";
import { describeStartupError, openMigratedDatabase, redactUrl, StartupError } from "./startup";
import { parseEnv, TEST_LOOPBACK_IN_PRODUCTION } from "@/server/env";

const dev = process.argv.includes("--dev");

/** What the launcher needs to serve: the port and the environment Next.js runs with. */
interface ServePlan {
  port: number;
  env: NodeJS.ProcessEnv;
}

async function main(): Promise<ServePlan> {
  const env = parseEnv();
  for (const warning of env.warnings) console.warn(`Gatehouse configuration: ${warning}`);
  if (!dev && env.testLoopbackMetadata) {
    throw new StartupError(`GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: ${TEST_LOOPBACK_IN_PRODUCTION}`);
  }
  try {
    parseTrustedProxies(process.env.GATEHOUSE_TRUSTED_PROXIES);
  } catch (error) {
    throw new StartupError(error instanceof Error ? error.message : String(error));
  }
  const handle = await openMigratedDatabase(env);
  const auth = await openAuth({ db: handle.db, publicUrl: env.publicUrl, secret: env.authSecret, signup: env.signup, oauth: env.oauth });
  const owner = await bootstrapOwner(
    { db: handle.db, auth },
    { publicUrl: env.publicUrl, adminEmail: env.adminEmail, adminPassword: env.adminPassword },
  );
  handle.client.close();

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(env.port),
    PUBLIC_URL: env.publicUrl,
    BETTER_AUTH_SECRET: env.authSecret,
    NEXT_TELEMETRY_DISABLED: "1",
  };

  if (!dev && !buildIsCurrent()) {
    console.info("Building Gatehouse (first start or sources changed)…");
    if ((await buildProduction(process.env)) !== 0) throw new StartupError("the production build failed; see the output above.");
  }

  console.info("");
  console.info(`Gatehouse console: ${env.publicUrl}`);
  console.info(`Database:          ${redactUrl(env.databaseUrl)}`);
  if (owner.kind === "created") console.info(`Owner account:     created for ${owner.email}; sign in at ${env.publicUrl}/sign-in`);
  if (owner.kind === "exists") console.info(`Sign in:           ${env.publicUrl}/sign-in`);
  if (owner.kind === "link") {
    console.info("No owner yet. Open this one-time link to create the owner account");
    console.info(`(valid until ${owner.expiresAt.toISOString()}, single use):`);
    console.info(`Setup link:        ${owner.url}`);
  }
  console.info("");

  return { port: env.port, env: childEnv };
}

main().then(
  (plan) => {
    if (!process.send) {
      console.error("Gatehouse cannot start: scripts/setup.ts prepares a start; run `npm start` (scripts/start.mjs).");
      process.exit(1);
    }
    process.send(plan, () => process.exit(0));
  },
  (error: unknown) => {
    console.error(`Gatehouse cannot start: ${describeStartupError(error)}`);
    process.exit(1);
  },
);
