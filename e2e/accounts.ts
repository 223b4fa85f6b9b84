import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Secret, TOTP } from "otpauth";
import { stateFile, type ServerState } from "./server-state";

/** Accounts the specs share: the foundation journey creates them, later specs sign in with them. */
export const OWNER = { name: "E2E Owner", email: "owner@e2e.example.com", password: "e2e-owner-passphrase-42" };
export const MEMBER = { name: "E2E Member", email: "member@e2e.example.com", password: "e2e-member-passphrase-77" };

/**
 * Authenticator secrets of accounts that enrolled during the run, by email. Spec files may run in
 * fresh workers, so they are kept in the run's temp dir, which global-teardown removes.
 */
function secretsFile(): string {
  const state = JSON.parse(readFileSync(stateFile(), "utf8")) as ServerState;
  return path.join(state.tempDir, "totp-secrets.json");
}

function readSecrets(): Record<string, string> {
  const file = secretsFile();
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
}

export function rememberTotpSecret(email: string, base32Secret: string): void {
  writeFileSync(secretsFile(), JSON.stringify({ ...readSecrets(), [email]: base32Secret }));
}

/** The authenticator app of an account that enrolled in this run, or null. */
export function totpOf(email: string): TOTP | null {
  const secret = readSecrets()[email];
  return secret ? new TOTP({ secret: Secret.fromBase32(secret) }) : null;
}
