import fc from "fast-check";
import { expect, test } from "vitest";
import { safeReturnPath } from "./return-path";

const SITE = "https://console.example";

/** Where a browser ends up when it navigates to `path` from a page of the site. */
const landing = (path: string) => new URL(path, `${SITE}/sign-in`);

test("same-origin paths are kept with their query and fragment", () => {
  expect(safeReturnPath("/users?page=2#top")).toBe("/users?page=2#top");
  expect(safeReturnPath("/clients/abc")).toBe("/clients/abc");
});

test("other sites, protocol-relative and scheme URLs go home", () => {
  for (const hostile of [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    "/\\\\evil.example",
    "javascript:alert(1)",
    " /evil",
    "",
    null,
    undefined,
  ]) {
    const result = safeReturnPath(hostile);
    expect(landing(result).origin, String(hostile)).toBe(SITE);
    expect(result.startsWith("/") && !result.startsWith("//")).toBe(true);
  }
});

test("whatever the candidate, the browser stays on the site", () => {
  const pathish = fc.array(fc.constantFrom("/", "\\", "\t", "\n", "\r", " ", ".", "@", ":", "%", "evil.example", "a", "?", "#"), {
    maxLength: 12,
  });
  fc.assert(
    fc.property(fc.oneof(fc.string(), pathish.map((parts) => parts.join(""))), (candidate) => {
      const result = safeReturnPath(candidate);
      expect(landing(result).origin).toBe(SITE);
      expect(/[\t\n\r]/.test(result)).toBe(false);
      expect(result.split(/[?#]/)[0]).not.toContain("\\");
    }),
    { numRuns: 2000 },
  );
});
