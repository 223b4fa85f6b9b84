import { TRPCError } from "@trpc/server";
import { expect, test } from "vitest";
import { z } from "zod";
import { decodeCursor, encodeCursor } from "./cursor";

const emailCursor = z.object({ email: z.string().min(1) });

test("a cursor round-trips the sort key of the last row", () => {
  expect(decodeCursor(encodeCursor({ email: "a@b.test" }), emailCursor)).toEqual({ email: "a@b.test" });
});

test.each(["", "%%%", Buffer.from("[]").toString("base64url"), Buffer.from('{"email":1}').toString("base64url")])(
  "the tampered cursor %j is a BAD_REQUEST",
  (bad) => {
    let caught: unknown;
    try {
      decodeCursor(bad, emailCursor);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TRPCError);
    expect((caught as TRPCError).code).toBe("BAD_REQUEST");
  },
);
