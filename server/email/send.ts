import { randomUUID } from "node:crypto";
import { createTransport } from "nodemailer";
import { desc, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devOutboxMessage } from "@/db/schema";
import { DEFAULT_EMAIL_FROM, type ServerEnv } from "@/server/env";

export type EmailSettings = ServerEnv["email"];

export interface EmailMessage {
  to: string;
  subject: string;
  /** Plain text only: the outbox page shows it as text, and no HTML is ever sent. */
  text: string;
  /** The one link the message is about, printed on its own line in the terminal. */
  link?: string;
}

export type SendEmail = (message: EmailMessage) => Promise<void>;

export type EmailDelivery = "smtp" | "outbox" | "terminal";

export function emailDelivery(settings: EmailSettings): EmailDelivery {
  if (settings.smtpUrl) return "smtp";
  return settings.devOutbox ? "outbox" : "terminal";
}

export const TERMINAL_ONLY_EMAIL: EmailSettings = { smtpUrl: undefined, from: DEFAULT_EMAIL_FROM, devOutbox: false };

type Log = Pick<Console, "info" | "warn">;

function printMessage(log: Log, message: EmailMessage) {
  const lines = [`Email to ${message.to}: ${message.subject}`];
  if (message.link) lines.push(`  Link: ${message.link}`);
  log.info(lines.join("\n"));
}

/**
 * The one way Gatehouse sends email: SMTP when SMTP_URL is set, otherwise the development outbox
 * (a table shown at /dev/outbox, and the terminal), otherwise the terminal alone.
 */
export function createSendEmail({ db, settings, log = console }: { db: Database; settings: EmailSettings; log?: Log }): SendEmail {
  const delivery = emailDelivery(settings);
  if (delivery === "smtp") {
    const transport = createTransport(settings.smtpUrl);
    return async (message) => {
      await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text });
    };
  }
  if (delivery === "outbox") {
    return async (message) => {
      await db.insert(devOutboxMessage).values({
        id: randomUUID(),
        createdAt: new Date(),
        to: message.to,
        subject: message.subject,
        text: message.text,
        link: message.link ?? null,
      });
      printMessage(log, message);
    };
  }
  return async (message) => {
    log.warn("No SMTP_URL is configured and the development outbox is off, so this email is only printed here.");
    printMessage(log, message);
  };
}

export type OutboxMessage = typeof devOutboxMessage.$inferSelect;

export async function listOutboxMessages(db: Database, limit = 100): Promise<OutboxMessage[]> {
  return db.select().from(devOutboxMessage).orderBy(desc(devOutboxMessage.createdAt), desc(sql`rowid`)).limit(limit);
}
