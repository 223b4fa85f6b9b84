import { eq } from "drizzle-orm";
import { afterEach, expect, test, vi } from "vitest";
import { devOutboxMessage } from "@/db/schema";
import {
  TEST_PASSWORD,
  authRequest,
  followVerificationLink,
  signIn,
  signUp,
  uniqueEmail,
  authTestBed,
} from "@/server/testing/auth";
import { auditRows } from "@/server/testing/authz";

const bed = authTestBed({ owner: true });

afterEach(() => {
  vi.restoreAllMocks();
});

const ANOTHER_PASSWORD = "someone-elses-passphrase-for-this";

function attemptSignUp(email: string, password = ANOTHER_PASSWORD) {
  return authRequest(bed.auth, "/sign-up/email", { body: { name: "Someone", email, password } });
}

function sessionCookies(response: Response): string[] {
  return response.headers.getSetCookie().filter((cookie) => cookie.includes("session_token="));
}

/** What an observer can compare between two answers: everything but the values that are fresh each time. */
function shapeOf(body: { token: unknown; user: Record<string, unknown> }) {
  const { id, createdAt, updatedAt, ...user } = body.user;
  return { token: body.token, user, types: [typeof id, typeof createdAt, typeof updatedAt] };
}

async function messagesTo(email: string) {
  return bed.database.db.select().from(devOutboxMessage).where(eq(devOutboxMessage.to, email));
}

test("sign-up with a taken email answers exactly like a new one, and the owner is emailed instead", async () => {
  const taken = await signUp(bed.auth, uniqueEmail("taken"));
  await followVerificationLink(bed.database.db, bed.auth, taken.email, taken.cookie);
  const fresh = uniqueEmail("fresh");

  const forTaken = await attemptSignUp(taken.email);
  const forFresh = await attemptSignUp(fresh);
  expect(forTaken.status).toBe(200);
  expect(forFresh.status).toBe(200);
  const takenBody = (await forTaken.json()) as { token: unknown; user: Record<string, unknown> };
  const freshBody = (await forFresh.json()) as { token: unknown; user: Record<string, unknown> };
  expect(Object.keys(takenBody.user).sort()).toEqual(Object.keys(freshBody.user).sort());
  expect(shapeOf(takenBody)).toEqual({ ...shapeOf(freshBody), user: { ...shapeOf(freshBody).user, email: taken.email } });
  expect(takenBody.user.id).not.toBe(taken.userId);
  expect(sessionCookies(forTaken)).toEqual([]);
  expect(sessionCookies(forFresh)).toEqual([]);

  const [notice] = (await messagesTo(taken.email)).filter((message) => message.subject.startsWith("Someone tried to create"));
  expect(notice?.text).toContain("You already have an account, so nothing was created or changed.");
  expect(notice?.link).toBe("http://localhost:3000/sign-in");
  expect((await messagesTo(fresh)).map((message) => message.subject)).toEqual(["Confirm your Gatehouse email address"]);

  // The attempt changed nothing: the owner's password still works, the other one does not.
  await signIn(bed.auth, taken.email, TEST_PASSWORD);
  expect((await authRequest(bed.auth, "/sign-in/email", { body: { email: taken.email, password: ANOTHER_PASSWORD } })).status).toBe(401);
});

test("sign-up starts no session; the new account signs in with its password straight away", async () => {
  const email = uniqueEmail("new");
  const response = await attemptSignUp(email, TEST_PASSWORD);
  expect(response.status).toBe(200);
  expect(((await response.json()) as { token: unknown }).token).toBeNull();
  expect(sessionCookies(response)).toEqual([]);
  await expect(signIn(bed.auth, email)).resolves.toHaveProperty("cookie");
});

test("an address gets at most three 'someone tried to sign up' emails an hour, and the answer never changes", async () => {
  const taken = await signUp(bed.auth, uniqueEmail("flooded"));
  const answers = await Promise.all(Array.from({ length: 6 }, () => attemptSignUp(taken.email)));
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
  const notices = (await messagesTo(taken.email)).filter((message) => message.subject.startsWith("Someone tried to create"));
  expect(notices).toHaveLength(3);
});

test("a real sign-up is audited as such; one with a taken email is audited against that account with no actor", async () => {
  const taken = await signUp(bed.auth, uniqueEmail("audit-taken"));
  await attemptSignUp(taken.email);
  const signedUp = await auditRows(bed.database.db, { action: "auth.sign_up", targetId: taken.userId });
  expect(signedUp).toHaveLength(1);
  const attempts = await auditRows(bed.database.db, { action: "auth.sign_up_existing_email", targetId: taken.userId });
  expect(attempts).toEqual([expect.objectContaining({ actorUserId: null, details: { email: taken.email } })]);
  expect(JSON.stringify(attempts)).not.toContain(ANOTHER_PASSWORD);
});

test("sign-in answers an unknown email and a wrong password alike, each after one password hash", async () => {
  const known = await signUp(bed.auth, uniqueEmail("known"));
  const { password } = await bed.auth.$context;
  const hash = vi.spyOn(password, "hash");
  const verify = vi.spyOn(password, "verify");

  const unknown = await authRequest(bed.auth, "/sign-in/email", { body: { email: uniqueEmail("unknown"), password: ANOTHER_PASSWORD } });
  const hashingForUnknown = hash.mock.calls.length + verify.mock.calls.length;
  hash.mockClear();
  verify.mockClear();
  const wrong = await authRequest(bed.auth, "/sign-in/email", { body: { email: known.email, password: ANOTHER_PASSWORD } });
  const hashingForWrong = hash.mock.calls.length + verify.mock.calls.length;

  expect(unknown.status).toBe(401);
  expect(wrong.status).toBe(401);
  expect(await unknown.json()).toEqual(await wrong.json());
  // scrypt costs the same whether it derives a new hash (the unknown email) or checks a stored one.
  expect(hashingForUnknown).toBe(1);
  expect(hashingForWrong).toBe(1);
});
