import { describe, expect, it } from "vitest";
import { boundedPasswordHashing } from "./password-hashing";

describe("boundedPasswordHashing", () => {
  it("runs at most its limit of hashes at once and queues the rest, each still better-auth's scrypt", async () => {
    const hashing = boundedPasswordHashing(2);
    const passwords = ["first-password-1", "second-password-2", "third-password-3", "fourth-password-4", "fifth-password-5"];
    const hashes = passwords.map((password) => hashing.hash(password));
    expect(hashing.load()).toEqual({ running: 2, waiting: 3 });
    const stored = await Promise.all(hashes);
    expect(hashing.load()).toEqual({ running: 0, waiting: 0 });
    const checks = await Promise.all([
      ...stored.map((hash, index) => hashing.verify({ hash, password: passwords[index]! })),
      hashing.verify({ hash: stored[0]!, password: passwords[1]! }),
    ]);
    expect(checks).toEqual([true, true, true, true, true, false]);
  });

  it("frees its slot when a hash fails, so one bad stored value cannot wedge sign-in", async () => {
    const hashing = boundedPasswordHashing(1);
    await expect(hashing.verify({ hash: "not-a-scrypt-hash", password: "whatever-password" })).rejects.toThrow();
    expect(hashing.load()).toEqual({ running: 0, waiting: 0 });
    expect(await hashing.verify({ hash: await hashing.hash("a-password-here"), password: "a-password-here" })).toBe(true);
  });
});
