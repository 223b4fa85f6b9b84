import { and, eq, like } from "drizzle-orm";
import { URI, type TOTP } from "otpauth";
import { afterAll, beforeAll, expect, test } from "vitest";
import { devOutboxMessage, passkey } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { TEST_PASSWORD, TEST_PUBLIC_URL, authRequest, signUp } from "@/server/testing/auth";
import { openPersonaTestBed, type Personas } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { SoftwareAuthenticator, registerPasskey } from "@/server/testing/passkey-authenticator";
import { callerAs } from "@/server/testing/trpc";
import { codeAt, enrolTotp, enrolledUser, insertPasskeyRow, wrongCode } from "@/server/testing/two-factor";

/** Whoever holds a session can change how the account signs in; the owner must hear of it by email. */

let database: TestDatabase;
let auth: Auth;
let personas: Personas;

beforeAll(async () => ({ database, auth, personas } = await openPersonaTestBed()));

afterAll(() => database.destroy());

async function notices(email: string, subject: string) {
  return database.db
    .select()
    .from(devOutboxMessage)
    .where(and(eq(devOutboxMessage.to, email), like(devOutboxMessage.subject, `%${subject}%`)));
}

function expectAdvice(text: string | undefined) {
  expect(text).toMatch(/ on \d{4}-\d{2}-\d{2} at \d{2}:\d{2} UTC\./);
  expect(text).toContain("If it was not you, someone else can sign in to your account. Reset your password now");
  expect(text).toContain("http://localhost:3000/forgot-password");
  expect(text).toContain("http://localhost:3000/account");
}

test("adding a passkey emails the owner which passkey, when, and what to do if it was not them", async () => {
  const me = await signUp(auth);
  const { verified: registered } = await registerPasskey(auth, me.cookie, new SoftwareAuthenticator(new URL(TEST_PUBLIC_URL).origin), "Borrowed laptop");
  expect(registered?.status, await registered?.clone().text()).toBe(200);
  expect(await database.db.select().from(passkey).where(eq(passkey.userId, me.userId))).toHaveLength(1);

  const [notice] = await notices(me.email, "A passkey was added");
  expect(notice?.text).toContain("A passkey “Borrowed laptop” was added to your Gatehouse account");
  expect(notice?.link).toBe("http://localhost:3000/account");
  expectAdvice(notice?.text);
});

test("removing a passkey emails the owner which one", async () => {
  const me = await signUp(auth);
  // Not the last factor, which would first ask for a proof of that factor (plugins/factor-removal.ts).
  await insertPasskeyRow(database.db, me.userId, { name: "New phone" });
  const key = await insertPasskeyRow(database.db, me.userId, { name: "Old phone" });
  expect((await authRequest(auth, "/passkey/delete-passkey", { body: { id: key.id }, cookie: me.cookie })).status).toBe(200);
  const [notice] = await notices(me.email, "A passkey was removed");
  expect(notice?.text).toContain("A passkey “Old phone” was removed from your Gatehouse account");
  expectAdvice(notice?.text);
});

test("turning the authenticator app on and then off emails the owner each time", async () => {
  const me = await signUp(auth);
  const { cookie, totp } = await enrolTotp(auth, me.cookie);
  const [added] = await notices(me.email, "An authenticator app was turned on");
  expectAdvice(added?.text);
  // The app is the last factor: turning it off asks for a code from it first.
  await (await callerAs({ db: database.db, auth }, cookie)).account.reauthenticate({ method: "totp", code: codeAt(totp) });

  const disabled = await authRequest(auth, "/two-factor/disable", { body: { password: TEST_PASSWORD }, cookie });
  expect(disabled.status).toBe(200);
  const [removed] = await notices(me.email, "The authenticator app was turned off");
  expectAdvice(removed?.text);
});

test("new backup codes and a changed password email the owner too; a wrong current password sends nothing", async () => {
  const me = await signUp(auth);
  const { cookie, totp } = await enrolTotp(auth, me.cookie);
  await (await callerAs({ db: database.db, auth }, cookie)).account.reauthenticate({ method: "totp", code: codeAt(totp) });
  const regenerated = await authRequest(auth, "/two-factor/generate-backup-codes", { body: { password: TEST_PASSWORD }, cookie });
  expect(regenerated.status).toBe(200);
  const [codes] = await notices(me.email, "New backup codes were made");
  expectAdvice(codes?.text);

  const wrong = await authRequest(auth, "/change-password", { body: { currentPassword: "not-the-password-at-all", newPassword: "another-long-passphrase-9" }, cookie });
  expect(wrong.status).toBe(400);
  expect(await notices(me.email, "password of your Gatehouse account was changed")).toHaveLength(0);
  const changed = await authRequest(auth, "/change-password", { body: { currentPassword: TEST_PASSWORD, newPassword: "another-long-passphrase-9" }, cookie });
  expect(changed.status).toBe(200);
  const [password] = await notices(me.email, "password of your Gatehouse account was changed");
  expectAdvice(password?.text);
});

test("a refused change and a second-factor sign-in send nothing", async () => {
  const owner = await signUp(auth);
  const intruder = await signUp(auth);
  const key = await insertPasskeyRow(database.db, owner.userId, { name: "Security key" });
  expect((await authRequest(auth, "/passkey/delete-passkey", { body: { id: key.id }, cookie: intruder.cookie })).status).toBe(401);

  const enrolling = await signUp(auth);
  const enabled = await authRequest(auth, "/two-factor/enable", { body: { password: TEST_PASSWORD }, cookie: enrolling.cookie });
  const { totpURI } = (await enabled.json()) as { totpURI: string };
  const totp = URI.parse(totpURI) as TOTP;
  const refused = await authRequest(auth, "/two-factor/verify-totp", { body: { code: wrongCode(totp) }, cookie: enrolling.cookie });
  expect(refused.status).toBe(401);

  const enrolled = await enrolledUser(auth);
  const before = (await notices(enrolled.email, "")).length;
  const challenge = await authRequest(auth, "/sign-in/email", { body: { email: enrolled.email, password: TEST_PASSWORD } });
  const pending = challenge.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");
  const verified = await authRequest(auth, "/two-factor/verify-totp", { body: { code: codeAt(enrolled.totp) }, cookie: pending });
  expect(verified.status).toBe(200);

  expect(await notices(owner.email, "passkey")).toEqual([]);
  expect(await notices(intruder.email, "passkey")).toEqual([]);
  expect(await notices(enrolling.email, "authenticator")).toEqual([]);
  expect(await notices(enrolled.email, "")).toHaveLength(before);
});

test("an administrator's MFA reset emails the owner what was removed and what to do next", async () => {
  const target = await enrolledUser(auth);
  await insertPasskeyRow(database.db, target.userId, { name: "Lost phone" });
  await personas.admin.caller.users.resetMfa({ id: target.userId });

  const [notice] = await notices(target.email, "An administrator reset the second factors");
  expect(notice?.text).toContain("an administrator removed the authenticator app and its backup codes and one passkey from your Gatehouse account");
  expect(notice?.text).toContain("If you did not ask for this, contact your administrators and reset your password");
  expect(notice?.link).toBe("http://localhost:3000/account");
});
