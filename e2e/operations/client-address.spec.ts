import { expect, test } from "@playwright/test";
import { createSharedData, startInstance, type Instance } from "./instance";

/**
 * The client address behind rate limits and lockouts is the connection's, unless the connection
 * comes from a trusted proxy. The test client is on loopback, so an instance that trusts no proxy
 * sees it as an untrusted client, and the default instance (loopback trusted) as a proxy.
 */

async function wrongSignIns(instance: Instance, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < count; attempt += 1) {
    const response = await fetch(`${instance.origin}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: instance.origin, "x-forwarded-for": `198.51.100.${attempt + 1}` },
      body: JSON.stringify({ email: "nobody@e2e.example.com", password: "not-a-password-at-all" }),
    });
    await response.body?.cancel();
    statuses.push(response.status);
  }
  return statuses;
}

test("a client cannot dodge the sign-in limit by choosing its own X-Forwarded-For", async () => {
  const data = createSharedData();
  const instance = await startInstance({ dataDir: data.dir, databaseUrl: data.databaseUrl, env: { GATEHOUSE_TRUSTED_PROXIES: "" } });
  try {
    const statuses = await wrongSignIns(instance, 7);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  } finally {
    await instance.stop();
    data.remove();
  }
});

test("behind a trusted proxy each forwarded address is counted on its own", async () => {
  const data = createSharedData();
  const instance = await startInstance({ dataDir: data.dir, databaseUrl: data.databaseUrl });
  try {
    expect(await wrongSignIns(instance, 7)).toEqual([401, 401, 401, 401, 401, 401, 401]);
  } finally {
    await instance.stop();
    data.remove();
  }
});
