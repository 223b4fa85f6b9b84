import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

/**
 * A form submitted before its page's scripts ran is sent by the browser itself. Without
 * `method="post"` that is a GET, which writes the password, code or token typed into it into the
 * address bar, the history and every log on the way. Every form of the app posts.
 */
test("every form in the app posts, so a submit before hydration never puts what was typed into the URL", () => {
  const files = readdirSync("app", { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".tsx"))
    .map((file) => path.join("app", file));
  expect(files.length).toBeGreaterThan(0);
  const getForms = files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/<form\b[^>]*>/g)].filter((form) => !/\bmethod="post"/.test(form[0])).map((form) => `${file}: ${form[0].slice(0, 80)}`),
  );
  expect(getForms).toEqual([]);
});
