import { afterAll, beforeAll, expect, test } from "vitest";
import { DEFAULT_EMAIL_FROM } from "@/server/env";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { createSendEmail, emailDelivery, listOutboxMessages } from "./send";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(() => database.destroy());

function recordingLog() {
  const lines: { level: "info" | "warn"; text: string }[] = [];
  return {
    lines,
    log: {
      info: (text: string) => lines.push({ level: "info", text }),
      warn: (text: string) => lines.push({ level: "warn", text }),
    },
  };
}

const message = { to: "someone@example.com", subject: "Hello", text: "Open <b>this</b>", link: "http://localhost:3000/x?token=abc" };

test("SMTP wins whenever SMTP_URL is set; otherwise the outbox when on, else the terminal", () => {
  expect(emailDelivery({ smtpUrl: "smtp://mail.example.com", from: DEFAULT_EMAIL_FROM, devOutbox: true })).toBe("smtp");
  expect(emailDelivery({ smtpUrl: undefined, from: DEFAULT_EMAIL_FROM, devOutbox: true })).toBe("outbox");
  expect(emailDelivery({ smtpUrl: undefined, from: DEFAULT_EMAIL_FROM, devOutbox: false })).toBe("terminal");
});

test("with the outbox on, a message is stored and printed with its link", async () => {
  const { lines, log } = recordingLog();
  const send = createSendEmail({ db: database.db, settings: { smtpUrl: undefined, from: DEFAULT_EMAIL_FROM, devOutbox: true }, log });
  await send(message);
  await send({ ...message, subject: "Second" });
  const stored = await listOutboxMessages(database.db);
  expect(stored.map((row) => row.subject)).toEqual(["Second", "Hello"]);
  expect(stored[1]).toMatchObject({ to: message.to, text: message.text, link: message.link });
  expect(lines.filter((line) => line.level === "warn")).toHaveLength(0);
  expect(lines[0]!.text).toContain(message.link);
});

test("with the outbox off and no SMTP, a message is only printed, with a one-line warning", async () => {
  const before = (await listOutboxMessages(database.db)).length;
  const { lines, log } = recordingLog();
  const send = createSendEmail({ db: database.db, settings: { smtpUrl: undefined, from: DEFAULT_EMAIL_FROM, devOutbox: false }, log });
  await send(message);
  expect(await listOutboxMessages(database.db)).toHaveLength(before);
  const warnings = lines.filter((line) => line.level === "warn");
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.text).not.toContain("\n");
  expect(lines.find((line) => line.level === "info")?.text).toContain(message.link);
});
