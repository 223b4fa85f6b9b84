import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvent, user, userSignIn } from "@/db/schema";
import { createTestDatabase, testBed } from "@/server/testing/db";
import { recordAuthEvent } from "./auth-events";

const bed = testBed(async () => ({ database: await createTestDatabase() }));

describe("recordAuthEvent", () => {
  it("keeps a sign-in's audit row and the account's last sign-in together: neither is written without the other", async () => {
    const { db } = bed.database;
    // No such account: the last-sign-in row breaks its foreign key, which must take the audit row with it.
    await expect(recordAuthEvent(db, { action: "auth.sign_in", userId: "user_that_does_not_exist", headers: undefined, domainId: null })).rejects.toThrow();
    expect(await db.select().from(auditEvent).where(eq(auditEvent.targetId, "user_that_does_not_exist"))).toEqual([]);
  });

  it("writes both for a sign-in of a real account", async () => {
    const { db } = bed.database;
    const userId = "user_signing_in";
    await db.insert(user).values({ id: userId, name: "Signing In", email: "signing-in@example.com", emailVerified: true, createdAt: new Date(), updatedAt: new Date() });
    await recordAuthEvent(db, { action: "auth.sign_in", userId, headers: undefined, domainId: null });
    expect(await db.select({ action: auditEvent.action }).from(auditEvent).where(eq(auditEvent.targetId, userId))).toEqual([{ action: "auth.sign_in" }]);
    expect(await db.select({ userId: userSignIn.userId }).from(userSignIn).where(eq(userSignIn.userId, userId))).toEqual([{ userId }]);
  });
});
