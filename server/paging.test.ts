import { TRPCError } from "@trpc/server";
import { expect, test } from "vitest";
import { z } from "zod";
import { decodeCursor, encodeCursor, keyset } from "./paging";

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

const slugKeyset = keyset(z.object({ slug: z.string() }));

test("a keyset page keeps limit rows and points after the last one only when there are more", () => {
  const rows = [{ slug: "a" }, { slug: "b" }, { slug: "c" }];
  const full = slugKeyset.page(rows, 2, (row) => ({ slug: row.slug }));
  expect(full.items).toEqual([{ slug: "a" }, { slug: "b" }]);
  expect(slugKeyset.after(full.nextCursor ?? undefined)).toEqual({ slug: "b" });
  expect(slugKeyset.page(rows, 3, (row) => ({ slug: row.slug })).nextCursor).toBeNull();
  expect(slugKeyset.after(undefined)).toBeUndefined();
});
