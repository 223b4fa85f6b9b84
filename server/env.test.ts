import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { EnvError, devOutboxEnabled, metadataDocumentFetchOptions, parseEnv } from "./env";

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-env-"));
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

test("with nothing configured, the embedded defaults apply", () => {
  const env = parseEnv({ GATEHOUSE_DATA_DIR: dataDir });
  expect(env.port).toBe(3000);
  expect(env.publicUrl).toBe("http://localhost:3000");
  expect(env.databaseUrl).toBe("file:./data/gatehouse.db");
  expect(env.signup).toBe("open");
  expect(env.oauth).toEqual({
    registration: "open",
    registrationLimits: { perIpPerMinute: 60, totalPerHour: 1000 },
    unusedClientDays: 30,
    accessTokenTtlSeconds: 900,
    refreshReuseWindowSeconds: 30,
  });
  expect(env.warnings).toEqual([]);
});

test("the OAuth settings take GATEHOUSE_CLIENT_REGISTRATION, the registration limits, GATEHOUSE_UNUSED_CLIENT_DAYS, GATEHOUSE_ACCESS_TOKEN_TTL and GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS, and refuse values outside their range", () => {
  const env = parseEnv({
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_CLIENT_REGISTRATION: "public-only",
    GATEHOUSE_REGISTRATION_LIMIT_PER_IP: "500",
    GATEHOUSE_REGISTRATION_LIMIT_TOTAL: "20000",
    GATEHOUSE_UNUSED_CLIENT_DAYS: "7",
    GATEHOUSE_ACCESS_TOKEN_TTL: "300",
    GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS: "0",
  });
  expect(env.oauth.registration).toBe("public-only");
  expect(env.oauth.registrationLimits).toEqual({ perIpPerMinute: 500, totalPerHour: 20000 });
  const { unusedClientDays, accessTokenTtlSeconds, refreshReuseWindowSeconds } = env.oauth;
  expect({ unusedClientDays, accessTokenTtlSeconds, refreshReuseWindowSeconds }).toEqual({ unusedClientDays: 7, accessTokenTtlSeconds: 300, refreshReuseWindowSeconds: 0 });
  expect(parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_CLIENT_REGISTRATION: "off" }).oauth.registration).toBe("off");
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_CLIENT_REGISTRATION: "all" })).toThrow(/GATEHOUSE_CLIENT_REGISTRATION/);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_REGISTRATION_LIMIT_PER_IP: "0" })).toThrow(/GATEHOUSE_REGISTRATION_LIMIT_PER_IP/);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_REGISTRATION_LIMIT_TOTAL: "many" })).toThrow(/GATEHOUSE_REGISTRATION_LIMIT_TOTAL/);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_UNUSED_CLIENT_DAYS: "0" })).toThrow(/GATEHOUSE_UNUSED_CLIENT_DAYS/);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_ACCESS_TOKEN_TTL: "5" })).toThrow(/GATEHOUSE_ACCESS_TOKEN_TTL/);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS: "-1" })).toThrow(/GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS/);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS: "3600" })).toThrow(/GATEHOUSE_REFRESH_REUSE_WINDOW_SECONDS/);
});

test("the old GATEHOUSE_DCR still works for one release, under the new policy names, with a line telling the operator what to set instead", () => {
  const cases = [
    ["off", "off"],
    ["public", "public-only"],
    ["all", "open"],
  ] as const;
  for (const [old, policy] of cases) {
    const env = parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_DCR: old });
    expect(env.oauth.registration).toBe(policy);
    expect(env.warnings).toEqual([
      `GATEHOUSE_DCR is deprecated and will be removed in the next release: replace GATEHOUSE_DCR=${old} with GATEHOUSE_CLIENT_REGISTRATION=${policy}.`,
    ]);
  }
  const both = parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_DCR: "off", GATEHOUSE_CLIENT_REGISTRATION: "open" });
  expect(both.oauth.registration).toBe("open");
  expect(both.warnings).toEqual(["GATEHOUSE_DCR is ignored because GATEHOUSE_CLIENT_REGISTRATION is set; remove GATEHOUSE_DCR."]);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_DCR: "sometimes" })).toThrow(/GATEHOUSE_DCR/);
});

test("PUBLIC_URL defaults to localhost on PORT, and a trailing slash is dropped when given", () => {
  expect(parseEnv({ GATEHOUSE_DATA_DIR: dataDir, PORT: "4321" }).publicUrl).toBe("http://localhost:4321");
  expect(parseEnv({ GATEHOUSE_DATA_DIR: dataDir, PUBLIC_URL: "https://auth.example.com/" }).publicUrl).toBe(
    "https://auth.example.com",
  );
});

test("a missing secret is generated into the data folder once and reused", () => {
  const first = parseEnv({ GATEHOUSE_DATA_DIR: dataDir }).authSecret;
  const second = parseEnv({ GATEHOUSE_DATA_DIR: dataDir }).authSecret;
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(second).toBe(first);
  expect(readFileSync(path.join(dataDir, "auth-secret"), "utf8")).toBe(first);
});

test("a configured secret wins over the generated one", () => {
  const secret = "s".repeat(40);
  expect(parseEnv({ GATEHOUSE_DATA_DIR: dataDir, BETTER_AUTH_SECRET: secret }).authSecret).toBe(secret);
});

test.each([
  ["PORT", { PORT: "not-a-port" }],
  ["PUBLIC_URL", { PUBLIC_URL: "ftp://example.com" }],
  ["GATEHOUSE_SIGNUP", { GATEHOUSE_SIGNUP: "sometimes" }],
  ["BETTER_AUTH_SECRET", { BETTER_AUTH_SECRET: "short" }],
])("an invalid %s is reported by name", (name, values) => {
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, ...values })).toThrow(EnvError);
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, ...values })).toThrow(name);
});

test("email goes through SMTP_URL from SMTP_FROM when set, with a default sender", () => {
  expect(parseEnv({ GATEHOUSE_DATA_DIR: dataDir }).email).toMatchObject({ smtpUrl: undefined, from: "Gatehouse <no-reply@localhost>" });
  expect(
    parseEnv({ GATEHOUSE_DATA_DIR: dataDir, SMTP_URL: "smtps://user:pass@mail.example.com:465", SMTP_FROM: "Auth <auth@example.com>" })
      .email,
  ).toMatchObject({ smtpUrl: "smtps://user:pass@mail.example.com:465", from: "Auth <auth@example.com>" });
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, SMTP_URL: "https://mail.example.com" })).toThrow(/SMTP_URL/);
});

test.each([
  ["development", undefined, true],
  ["test", undefined, true],
  ["production", undefined, false],
  ["production", "on", true],
  ["production", "off", false],
  ["development", "off", false],
] as const)("in %s with GATEHOUSE_DEV_OUTBOX=%s the development outbox is on: %s", (nodeEnv, setting, expected) => {
  expect(devOutboxEnabled(nodeEnv, setting)).toBe(expected);
  expect(parseEnv({ GATEHOUSE_DATA_DIR: dataDir, NODE_ENV: nodeEnv, GATEHOUSE_DEV_OUTBOX: setting }).email.devOutbox).toBe(expected);
});

test("an invalid GATEHOUSE_DEV_OUTBOX is reported by name", () => {
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_DEV_OUTBOX: "yes" })).toThrow(/GATEHOUSE_DEV_OUTBOX/);
});

test("the test-only loopback setting for metadata documents is off unless set, reads its CA, and a production server refuses it by name", () => {
  expect(metadataDocumentFetchOptions(parseEnv({ GATEHOUSE_DATA_DIR: dataDir }))).toBeUndefined();
  const caFile = path.join(dataDir, "ca.pem");
  writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n");
  const testing = parseEnv({ GATEHOUSE_DATA_DIR: dataDir, NODE_ENV: "test", GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: "1", GATEHOUSE_TEST_METADATA_CA: caFile });
  expect(metadataDocumentFetchOptions(testing)).toEqual({ testLoopback: { ca: readFileSync(caFile, "utf8") } });
  expect(() => metadataDocumentFetchOptions({ testLoopbackMetadata: { caPath: path.join(dataDir, "missing.pem") } })).toThrow(
    /GATEHOUSE_TEST_METADATA_CA: cannot read/,
  );
  for (const values of [{ GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: "1" }, { GATEHOUSE_TEST_METADATA_CA: caFile }]) {
    expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, NODE_ENV: "production", ...values })).toThrow(
      "Invalid configuration: GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: this setting is for tests only",
    );
  }
  expect(() => parseEnv({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: "yes" })).toThrow(/GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA/);
});
