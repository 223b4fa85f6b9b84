import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_REFRESH_REUSE_WINDOW_SECONDS, REGISTRATION_POLICIES, type RegistrationPolicy } from "@/server/oauth/config";
import type { MetadataFetchOptions } from "./oauth/metadata-document-fetch";

export const DEFAULT_EMAIL_FROM = "Gatehouse <no-reply@localhost>";

/**
 * The development outbox keeps live reset links in the database and shows them at /dev/outbox, so a
 * production build only has it when asked for explicitly.
 */
export function devOutboxEnabled(nodeEnv: "development" | "production" | "test", setting: "on" | "off" | undefined): boolean {
  return setting === undefined ? nodeEnv !== "production" : setting === "on";
}

/** `GATEHOUSE_DCR`, replaced by `GATEHOUSE_CLIENT_REGISTRATION`: each old value and the policy it meant. */
const DEPRECATED_DCR_POLICIES = { off: "off", public: "public-only", all: "open" } as const satisfies Record<string, RegistrationPolicy>;

/**
 * The registration policy, and a line for the operator when it came from the old variable: it is
 * still honoured in this release, under the new name's meaning.
 */
function registrationPolicy(
  current: RegistrationPolicy | undefined,
  deprecated: keyof typeof DEPRECATED_DCR_POLICIES | undefined,
): { policy: RegistrationPolicy; warning?: string } {
  if (deprecated === undefined) return { policy: current ?? "open" };
  if (current !== undefined) {
    return {
      policy: current,
      warning: "GATEHOUSE_DCR is ignored because GATEHOUSE_CLIENT_REGISTRATION is set; remove GATEHOUSE_DCR.",
    };
  }
  const policy = DEPRECATED_DCR_POLICIES[deprecated];
  return {
    policy,
    warning: `GATEHOUSE_DCR is deprecated and will be removed in the next release: replace GATEHOUSE_DCR=${deprecated} with GATEHOUSE_CLIENT_REGISTRATION=${policy}.`,
  };
}

/**
 * Said when a production server is started with the test-only metadata setting: with it, a client_id
 * URL could make the server fetch from its own loopback interface.
 */
export const TEST_LOOPBACK_IN_PRODUCTION =
  "this setting is for tests only: it lets client ID metadata documents be fetched from loopback addresses. Unset it (and GATEHOUSE_TEST_METADATA_CA) to run in production.";

/**
 * The only reader of process.env. Every variable has a default that makes the embedded setup work
 * with no .env file at all.
 */
const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    GATEHOUSE_DATA_DIR: z.string().min(1).default("./data"),
    DATABASE_URL: z.string().min(1).default("file:./data/gatehouse.db"),
    DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    BETTER_AUTH_SECRET: z.string().min(32, "BETTER_AUTH_SECRET must be at least 32 characters").optional(),
    GATEHOUSE_ADMIN_EMAIL: z.email().optional(),
    GATEHOUSE_ADMIN_PASSWORD: z.string().optional(),
    GATEHOUSE_SIGNUP: z.enum(["open", "closed"]).default("open"),
    GATEHOUSE_CLIENT_REGISTRATION: z.enum(REGISTRATION_POLICIES).optional(),
    GATEHOUSE_DCR: z.enum(["off", "public", "all"]).optional(),
    GATEHOUSE_REGISTRATION_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).default(60),
    GATEHOUSE_REGISTRATION_LIMIT_TOTAL: z.coerce.number().int().min(1).max(10_000_000).default(1000),
    GATEHOUSE_UNUSED_CLIENT_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    GATEHOUSE_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(900),
    GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS: z.coerce.number().int().min(0).max(300).default(DEFAULT_REFRESH_REUSE_WINDOW_SECONDS),
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    SMTP_FROM: z.string().min(1).default(DEFAULT_EMAIL_FROM),
    GATEHOUSE_DEV_OUTBOX: z.enum(["on", "off"]).optional(),
    GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: z.enum(["1"], "GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA is 1 or unset").optional(),
    GATEHOUSE_TEST_METADATA_CA: z.string().min(1).optional(),
  })
  .superRefine((raw, ctx) => {
    if (raw.NODE_ENV === "production" && (raw.GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA || raw.GATEHOUSE_TEST_METADATA_CA)) {
      ctx.addIssue({ code: "custom", path: ["GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA"], message: TEST_LOOPBACK_IN_PRODUCTION });
    }
  })
  .transform((raw) => {
    const publicUrl = new URL(raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`);
    const registration = registrationPolicy(raw.GATEHOUSE_CLIENT_REGISTRATION, raw.GATEHOUSE_DCR);
    return {
      nodeEnv: raw.NODE_ENV,
      port: raw.PORT,
      publicUrl: publicUrl.origin + publicUrl.pathname.replace(/\/+$/, ""),
      dataDir: path.resolve(raw.GATEHOUSE_DATA_DIR),
      databaseUrl: raw.DATABASE_URL,
      databaseAuthToken: raw.DATABASE_AUTH_TOKEN,
      redisUrl: raw.REDIS_URL,
      authSecret: raw.BETTER_AUTH_SECRET,
      adminEmail: raw.GATEHOUSE_ADMIN_EMAIL,
      adminPassword: raw.GATEHOUSE_ADMIN_PASSWORD,
      signup: raw.GATEHOUSE_SIGNUP,
      oauth: {
        registration: registration.policy,
        registrationLimits: {
          perIpPerMinute: raw.GATEHOUSE_REGISTRATION_LIMIT_PER_IP,
          totalPerHour: raw.GATEHOUSE_REGISTRATION_LIMIT_TOTAL,
        },
        unusedClientDays: raw.GATEHOUSE_UNUSED_CLIENT_DAYS,
        accessTokenTtlSeconds: raw.GATEHOUSE_ACCESS_TOKEN_TTL,
        refreshReuseWindowSeconds: raw.GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS,
      },
      email: {
        smtpUrl: raw.SMTP_URL,
        from: raw.SMTP_FROM,
        devOutbox: devOutboxEnabled(raw.NODE_ENV, raw.GATEHOUSE_DEV_OUTBOX),
      },
      /** Lines `npm start` prints before starting: settings that still work but should be changed. */
      warnings: registration.warning ? [registration.warning] : [],
      testLoopbackMetadata: raw.GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA === "1" ? { caPath: raw.GATEHOUSE_TEST_METADATA_CA } : undefined,
    };
  });

export type ServerEnv = Omit<z.output<typeof schema>, "authSecret"> & { readonly authSecret: string };

/**
 * `next build` runs in processes where this is set. A build must leave no database and no secret
 * behind (an image built once is started many times, each with its own configuration), so anything
 * that would open one refuses loudly and the build fails instead of baking it in.
 */
export function assertNotBuilding(what: string): void {
  if (process.env.NEXT_PHASE !== "phase-production-build") return;
  throw new Error(
    `Gatehouse tried to ${what} while Next.js was building. Read the request first (headers(), cookies() or connection()) so that the page renders per request.`,
  );
}

export class EnvError extends Error {}

/**
 * Reads the secret generated on first start, creating it when absent. `wx` makes two processes
 * starting at once agree on one secret instead of each writing its own.
 */
function readOrCreateSecret(dataDir: string): string {
  assertNotBuilding("read or create the auth secret");
  const file = path.join(dataDir, "auth-secret");
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readFileSync(file, "utf8").trim();
}

export function parseEnv(source: Readonly<Record<string, string | undefined>> = process.env): ServerEnv {
  const result = schema.safeParse(source);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new EnvError(`Invalid configuration: ${first?.path.join(".")}: ${first?.message}`);
  }
  const { authSecret: configured, ...parsed } = result.data;
  let secret = configured;
  return {
    ...parsed,
    // Read or generated when something first signs with it, not when the configuration is read.
    get authSecret(): string {
      secret ??= readOrCreateSecret(parsed.dataDir);
      return secret;
    },
  };
}

let cached: ServerEnv | undefined;

/**
 * How the server fetches client ID metadata documents: from the public internet only, unless the
 * test-only setting admits loopback addresses and trusts a test CA for them.
 */
export function metadataDocumentFetchOptions(env: Pick<ServerEnv, "testLoopbackMetadata">): MetadataFetchOptions | undefined {
  const testing = env.testLoopbackMetadata;
  if (!testing) return undefined;
  try {
    return { testLoopback: { ca: testing.caPath ? readFileSync(testing.caPath, "utf8") : undefined } };
  } catch (error) {
    throw new EnvError(`Invalid configuration: GATEHOUSE_TEST_METADATA_CA: cannot read ${testing.caPath}: ${(error as Error).message}`);
  }
}

export function getEnv(): ServerEnv {
  cached ??= parseEnv();
  return cached;
}
