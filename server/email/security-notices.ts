import { asc, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { passkey, twoFactor, user } from "@/db/schema";
import type { EmailMessage, SendEmail } from "./send";

/**
 * Emails that tell an account's owner that something about how they sign in changed: the only way
 * they learn of a change someone else made with their session or their mailbox.
 */

export type FactorChange =
  | { kind: "passkey_added"; passkeyName: string | null }
  | { kind: "passkey_removed"; passkeyName: string | null }
  | { kind: "authenticator_added" }
  | { kind: "authenticator_removed" }
  | { kind: "backup_codes_regenerated" }
  | { kind: "password_changed" };

export interface FactorOverview {
  authenticatorApp: boolean;
  backupCodesRemaining: number;
  passkeys: { name: string | null; createdAt: Date | null }[];
}

export interface MfaResetSummary {
  methods: readonly string[];
  passkeys: number;
}

function base(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, "");
}

/** "2026-11-03 at 14:05 UTC": the same for every reader, whatever their server's time zone. */
export function formatWhen(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10)} at ${iso.slice(11, 16)} UTC`;
}

function passkeyLabel(name: string | null): string {
  return name ? `“${name}”` : "without a name";
}

function factorSentence(change: FactorChange): { subject: string; sentence: string; undo: string } {
  switch (change.kind) {
    case "passkey_added":
      return {
        subject: "A passkey was added to your Gatehouse account",
        sentence: `A passkey ${passkeyLabel(change.passkeyName)} was added to your Gatehouse account`,
        undo: "Then sign in and delete the passkey you do not recognise on your account page:",
      };
    case "passkey_removed":
      return {
        subject: "A passkey was removed from your Gatehouse account",
        sentence: `A passkey ${passkeyLabel(change.passkeyName)} was removed from your Gatehouse account`,
        undo: "Then sign in and check your passkeys and authenticator app on your account page:",
      };
    case "authenticator_added":
      return {
        subject: "An authenticator app was turned on for your Gatehouse account",
        sentence: "An authenticator app was turned on as a second factor for your Gatehouse account",
        undo: "Then sign in and turn the authenticator app off on your account page:",
      };
    case "authenticator_removed":
      return {
        subject: "The authenticator app was turned off for your Gatehouse account",
        sentence: "The authenticator app was turned off for your Gatehouse account",
        undo: "Then sign in and set up your second factors again on your account page:",
      };
    case "backup_codes_regenerated":
      return {
        subject: "New backup codes were made for your Gatehouse account",
        sentence: "New backup codes were made for your Gatehouse account, and the old ones stopped working",
        undo: "Then sign in and make new backup codes again on your account page, so that only you hold them:",
      };
    case "password_changed":
      return {
        subject: "The password of your Gatehouse account was changed",
        sentence: "The password of your Gatehouse account was changed",
        undo: "Then sign in with the new password if you can, and check your sessions and second factors on your account page:",
      };
  }
}

export function factorChangedMessage(publicUrl: string, to: string, change: FactorChange, at: Date): EmailMessage {
  const { subject, sentence, undo } = factorSentence(change);
  const account = `${base(publicUrl)}/account`;
  return {
    to,
    subject,
    text: [
      `${sentence} on ${formatWhen(at)}.`,
      "",
      "If this was you, there is nothing to do.",
      "",
      "If it was not you, someone else can sign in to your account. Reset your password now, which signs out every session:",
      `${base(publicUrl)}/forgot-password`,
      undo,
      account,
      "If you cannot sign in any more, ask an administrator to reset your second factors.",
    ].join("\n"),
    link: account,
  };
}

function removedFactors(summary: MfaResetSummary): string {
  const parts: string[] = [];
  if (summary.methods.includes("totp")) parts.push("the authenticator app and its backup codes");
  if (summary.passkeys > 0) parts.push(summary.passkeys === 1 ? "one passkey" : `${summary.passkeys} passkeys`);
  return parts.length > 0 ? parts.join(" and ") : "every second factor";
}

export function mfaResetMessage(publicUrl: string, to: string, summary: MfaResetSummary, at: Date): EmailMessage {
  const account = `${base(publicUrl)}/account`;
  return {
    to,
    subject: "An administrator reset the second factors of your Gatehouse account",
    text: [
      `On ${formatWhen(at)} an administrator removed ${removedFactors(summary)} from your Gatehouse account, usually because you lost a device.`,
      "Your next sign-in asks only for your password. Set up a second factor again on your account page:",
      account,
      "",
      "If you did not ask for this, contact your administrators and reset your password:",
      `${base(publicUrl)}/forgot-password`,
    ].join("\n"),
    link: account,
  };
}

function overviewLines(overview: FactorOverview): string[] {
  const lines = [
    overview.authenticatorApp
      ? `- Authenticator app: on, ${overview.backupCodesRemaining === 1 ? "1 backup code" : `${overview.backupCodesRemaining} backup codes`} left`
      : "- Authenticator app: off",
  ];
  if (overview.passkeys.length === 0) lines.push("- Passkeys: none");
  for (const key of overview.passkeys) {
    lines.push(`- Passkey ${passkeyLabel(key.name)}, added ${key.createdAt ? formatWhen(key.createdAt) : "at an unknown time"}`);
  }
  return lines;
}

export function passwordResetMessage(publicUrl: string, to: string, overview: FactorOverview, at: Date): EmailMessage {
  const account = `${base(publicUrl)}/account`;
  return {
    to,
    subject: "Your Gatehouse password was changed",
    text: [
      `The password of your Gatehouse account was changed with a reset link on ${formatWhen(at)}.`,
      "Every session of the account was signed out, and applications connected to it lost their access: they ask you to sign in and allow them again.",
      "",
      "These second factors can still sign in to your account:",
      ...overviewLines(overview),
      "",
      "Review them, and remove any you do not recognise, on your account page:",
      account,
      "",
      "If you did not change your password, reset it again now, then review your second factors:",
      `${base(publicUrl)}/forgot-password`,
    ].join("\n"),
    link: account,
  };
}

/** To the account's current address when someone signed in to it asks to move it to another. */
export function emailChangeRequestedMessage(publicUrl: string, to: string, newEmail: string, at: Date): EmailMessage {
  const account = `${base(publicUrl)}/account`;
  return {
    to,
    subject: "Someone asked to change the email address of your Gatehouse account",
    text: [
      `On ${formatWhen(at)} someone signed in to your Gatehouse account asked to change its email address to ${newEmail}.`,
      "The address changes only when the link sent to that address is opened in a browser signed in to your account; until then this address stays the account's.",
      "",
      "If this was you, there is nothing to do.",
      "",
      "If it was not you, someone else can sign in to your account. Reset your password now, which signs out every session:",
      `${base(publicUrl)}/forgot-password`,
      "Then sign in and check your email address, sessions and second factors on your account page:",
      account,
    ].join("\n"),
    link: account,
  };
}

export function existingAccountSignUpMessage(publicUrl: string, to: string, at: Date): EmailMessage {
  const signIn = `${base(publicUrl)}/sign-in`;
  return {
    to,
    subject: "Someone tried to create a Gatehouse account with your email address",
    text: [
      `On ${formatWhen(at)} someone tried to create a new Gatehouse account with this email address. You already have an account, so nothing was created or changed.`,
      "",
      "If it was you, sign in with your existing account:",
      signIn,
      "If you have forgotten its password, reset it:",
      `${base(publicUrl)}/forgot-password`,
      "",
      "If it was not you, you can ignore this email.",
    ].join("\n"),
    link: signIn,
  };
}

/** The account's second factors as they are now, for the password-change email. */
export async function factorOverview(
  db: Executor,
  userId: string,
  countBackupCodes: (stored: string) => Promise<number>,
): Promise<FactorOverview> {
  const [[owner], [totp], keys] = await Promise.all([
    db.select({ enabled: user.twoFactorEnabled }).from(user).where(eq(user.id, userId)).limit(1),
    db.select({ backupCodes: twoFactor.backupCodes }).from(twoFactor).where(eq(twoFactor.userId, userId)).limit(1),
    db
      .select({ name: passkey.name, createdAt: passkey.createdAt })
      .from(passkey)
      .where(eq(passkey.userId, userId))
      .orderBy(asc(passkey.createdAt)),
  ]);
  const authenticatorApp = owner?.enabled === true && totp !== undefined;
  return {
    authenticatorApp,
    backupCodesRemaining: authenticatorApp ? await countBackupCodes(totp.backupCodes) : 0,
    passkeys: keys,
  };
}

type ErrorLog = Pick<Console, "error">;

export interface SecurityNotices {
  factorChanged(owner: { email: string }, change: FactorChange): Promise<void>;
  mfaReset(owner: { email: string }, summary: MfaResetSummary): Promise<void>;
  passwordReset(owner: { id: string; email: string }): Promise<void>;
  existingAccountSignUp(owner: { email: string }): Promise<void>;
  emailChangeRequested(owner: { email: string }, newEmail: string): Promise<void>;
}

/**
 * Each notice goes out after the change it reports has been made, so a failed delivery is logged
 * and never turns the change's answer into an error.
 */
export function createSecurityNotices({
  db,
  publicUrl,
  sendEmail,
  countBackupCodes,
  log = console,
}: {
  db: Executor;
  publicUrl: string;
  sendEmail: SendEmail;
  countBackupCodes: (stored: string) => Promise<number>;
  log?: ErrorLog;
}): SecurityNotices {
  async function deliver(message: EmailMessage) {
    try {
      await sendEmail(message);
    } catch (error) {
      log.error(`The security notice "${message.subject}" could not be sent to ${message.to}:`, error);
    }
  }
  return {
    factorChanged: (owner, change) => deliver(factorChangedMessage(publicUrl, owner.email, change, new Date())),
    mfaReset: (owner, summary) => deliver(mfaResetMessage(publicUrl, owner.email, summary, new Date())),
    passwordReset: async (owner) => {
      const overview = await factorOverview(db, owner.id, countBackupCodes);
      await deliver(passwordResetMessage(publicUrl, owner.email, overview, new Date()));
    },
    existingAccountSignUp: (owner) => deliver(existingAccountSignUpMessage(publicUrl, owner.email, new Date())),
    emailChangeRequested: (owner, newEmail) => deliver(emailChangeRequestedMessage(publicUrl, owner.email, newEmail, new Date())),
  };
}
