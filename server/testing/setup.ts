import { afterEach, beforeEach, vi } from "vitest";

/** console.error during a test is a failure unless the test declared it with `expectConsoleError`. */
let allowed = 0;
let errorSpy: { mock: { calls: unknown[][] }; mockRestore(): void } | undefined;

export function expectConsoleError(times = 1) {
  allowed += times;
}

beforeEach(() => {
  allowed = 0;
  errorSpy = vi.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(() => {
  const calls = errorSpy?.mock.calls ?? [];
  errorSpy?.mockRestore();
  if (calls.length > allowed) {
    throw new Error(`Unexpected console.error during the test:\n${calls.map((call: unknown[]) => call.map(String).join(" ")).join("\n")}`);
  }
});
