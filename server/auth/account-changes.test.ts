import { and, desc, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { auditEvent, devOutboxMessage, user } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import {
  TEST_PASSWORD,
  authRequest,
  followVerificationLink,
  openAuthTestBed,
  signIn,
  signUp,
  uniqueEmail,
} from "@/server/testing/auth";
import type { TestDatabase } from "@/server/testing/db";
import { ageSignIn } from "@/server/testing/step-up";

let database: TestDatabase;
let auth: Auth;

beforeAll(async () => ({ database, auth } = await openAuthTestBed({ owner: true })));

afterAll(() => database.destroy());

const NEW_PASSWORD = "a-different-long-passphrase-7";

async function emailOf(userId: string) {
  const [row] = await database.db.select({ email: user.email, name: user.name, emailVerified: user.emailVerified }).from(user).where(eq(user.id, userId));
  return row;
}

async function eventsOf(userId: string, action: string) {
  return database.db
    .select({ actorUserId: auditEvent.actorUserId, details: auditEvent.details })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, action), eq(auditEvent.targetId, userId)))
    .orderBy(desc(auditEvent.at));
}

async function mailTo(email: string, subject = "") {
  return database.db
    .select({ subject: devOutboxMessage.subject, text: devOutboxMessage.text })
    .from(devOutboxMessage)
    .where(and(eq(devOutboxMessage.to, email), like(devOutboxMessage.subject, `%${subject}%`)));
}

// ---------------------------------------------------------------------------------------------
// Name

test("a person changes their own name; it is trimmed, checked like an administrator's edit, and audited", async () => {
  const { userId, cookie } = await signUp(auth, uniqueEmail("renamed"));
  const response = await authRequest(auth, "/update-user", { body: { name: "  Ada Lovelace " }, cookie });
  expect(response.status).toBe(200);
  expect((await emailOf(userId))?.name).toBe("Ada Lovelace");
  const [event] = await eventsOf(userId, "auth.name_changed");
  expect(event).toEqual({ actorUserId: userId, details: { before: { name: "Test User" }, after: { name: "Ada Lovelace" } } });

  for (const name of ["   ", "x".repeat(101)]) {
    const refused = await authRequest(auth, "/update-user", { body: { name }, cookie });
    expect(refused.status).toBe(400);
  }
  expect((await emailOf(userId))?.name).toBe("Ada Lovelace");
  expect(await eventsOf(userId, "auth.name_changed")).toHaveLength(1);
});

// ---------------------------------------------------------------------------------------------
// Email

test("changing the email sends a link to the new address and a notice to the old one; the link, followed signed in, makes the change", async () => {
  const { userId, email, cookie } = await signUp(auth, uniqueEmail("mover"));
  const newEmail = uniqueEmail("moved");
  const response = await authRequest(auth, "/change-email", { body: { newEmail }, cookie });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: true });

  // Nothing changes until the link is followed.
  expect((await emailOf(userId))?.email).toBe(email);
  const [confirmation] = await mailTo(newEmail, "Confirm the new email address");
  expect(confirmation?.text).toContain(email);
  const [notice] = await mailTo(email, "asked to change the email address");
  expect(notice?.text).toContain(newEmail);
  expect(await eventsOf(userId, "auth.email_change_requested")).toEqual([{ actorUserId: userId, details: { newEmail } }]);

  const followed = await followVerificationLink(database.db, auth, newEmail, cookie);
  expect(followed.status).toBe(200);
  // The link proved the new address as a verification link does, though the old one was never verified.
  expect(await emailOf(userId)).toMatchObject({ email: newEmail, emailVerified: true });
  expect(await eventsOf(userId, "auth.email_verified")).toHaveLength(1);
  expect(await eventsOf(userId, "auth.email_changed")).toEqual([
    { actorUserId: userId, details: { before: { email }, after: { email: newEmail } } },
  ]);
  await expect(signIn(auth, newEmail)).resolves.toHaveProperty("cookie");
});

test("the link does nothing followed signed out, or in a browser signed in to another account", async () => {
  const { userId, email, cookie } = await signUp(auth, uniqueEmail("owner-of-link"));
  const other = await signUp(auth, uniqueEmail("someone-else"));
  const newEmail = uniqueEmail("wanted");
  expect((await authRequest(auth, "/change-email", { body: { newEmail }, cookie })).status).toBe(200);

  for (const browser of [undefined, other.cookie]) {
    const followed = await followVerificationLink(database.db, auth, newEmail, browser);
    expect(followed.status).toBe(403);
    expect(await followed.json()).toMatchObject({ code: "SIGN_IN_TO_VERIFY" });
  }
  expect((await emailOf(userId))?.email).toBe(email);
  expect((await emailOf(other.userId))?.email).toBe(other.email);
  expect(await eventsOf(userId, "auth.email_changed")).toEqual([]);
});

test("a taken address gets the same answer as a free one, and its owner no link", async () => {
  const { userId, email, cookie } = await signUp(auth, uniqueEmail("prober"));
  const taken = await signUp(auth, uniqueEmail("taken"));
  const free = uniqueEmail("free");

  const toTaken = await authRequest(auth, "/change-email", { body: { newEmail: taken.email }, cookie });
  const toFree = await authRequest(auth, "/change-email", { body: { newEmail: free }, cookie });
  expect({ status: toTaken.status, body: await toTaken.json() }).toEqual({ status: toFree.status, body: await toFree.json() });

  expect(await mailTo(taken.email, "Confirm the new email address")).toEqual([]);
  expect(await mailTo(free, "Confirm the new email address")).toHaveLength(1);
  // The account's own address hears of both requests alike.
  expect(await mailTo(email, "asked to change the email address")).toHaveLength(2);
  expect((await emailOf(userId))?.email).toBe(email);
  expect((await emailOf(taken.userId))?.email).toBe(taken.email);
});

test("changing the email needs a recent sign-in, and an older session sends nothing", async () => {
  const { userId, email, cookie } = await signUp(auth, uniqueEmail("stale"));
  await ageSignIn({ db: database.db, auth }, cookie);
  const newEmail = uniqueEmail("stale-target");
  const response = await authRequest(auth, "/change-email", { body: { newEmail }, cookie });
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ code: "REAUTH_REQUIRED" });
  expect(await mailTo(newEmail)).toEqual([]);
  expect(await mailTo(email, "asked to change")).toEqual([]);
  expect(await eventsOf(userId, "auth.email_change_requested")).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Password

test("a wrong current password changes nothing and is not audited as a change", async () => {
  const { userId, email, cookie } = await signUp(auth, uniqueEmail("wrong-current"));
  const response = await authRequest(auth, "/change-password", {
    body: { currentPassword: "not-the-password-at-all", newPassword: NEW_PASSWORD },
    cookie,
  });
  expect(response.status).toBe(400);
  expect(await eventsOf(userId, "auth.password_changed")).toEqual([]);
  await expect(signIn(auth, email)).resolves.toHaveProperty("cookie");
  await expect(signIn(auth, email, NEW_PASSWORD)).rejects.toThrow();
});

test("the right current password changes it, may sign out the other sessions, and is audited", async () => {
  const { userId, email, cookie } = await signUp(auth, uniqueEmail("changer"));
  const elsewhere = await signIn(auth, email);
  const response = await authRequest(auth, "/change-password", {
    body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
    cookie,
  });
  expect(response.status).toBe(200);
  const session = await (await authRequest(auth, "/get-session", { cookie: elsewhere.cookie })).json();
  expect(session).toBeNull();
  expect(await eventsOf(userId, "auth.password_changed")).toEqual([{ actorUserId: userId, details: { revokedOtherSessions: true } }]);
  await expect(signIn(auth, email, NEW_PASSWORD)).resolves.toHaveProperty("cookie");
  await expect(signIn(auth, email)).rejects.toThrow();
});
