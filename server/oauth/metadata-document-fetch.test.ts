import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startMetadataHost, testHostLookup, type MetadataHost } from "@/server/testing/metadata-host";
import { fetchMetadataDocument, MetadataDocumentError, type HostLookup, type MetadataFetchOptions } from "./metadata-document-fetch";
import { isPublicAddress } from "./public-url";

let host: MetadataHost;

beforeAll(async () => {
  host = await startMetadataHost();
  host.serveJson("/client.json", { client_id: "x" });
});

afterAll(() => host?.close());

/** A resolver that answers `addresses` for every name and counts how often it was asked. */
function lookupAnswering(...addresses: string[]): HostLookup & { calls: number } {
  const lookup = async () => {
    lookup.calls += 1;
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  lookup.calls = 0;
  return lookup;
}

async function refusal(url: string, options: MetadataFetchOptions): Promise<string> {
  try {
    await fetchMetadataDocument(url, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MetadataDocumentError);
    return (error as Error).message;
  }
  throw new Error(`${url} was fetched`);
}

const testing = () => ({ testLoopback: { ca: host.ca }, lookup: testHostLookup });

test("a document on the local test host is fetched over verified TLS when the test-only setting admits loopback", async () => {
  const fetched = await fetchMetadataDocument(host.url("/client.json"), testing());
  expect(fetched.document).toEqual({ client_id: "x" });
  expect(fetched.headers.get("content-type")).toBe("application/json");
});

describe("the SSRF guard", () => {
  test.each([
    ["loopback", "127.0.0.1"],
    ["another loopback address", "127.8.9.10"],
    ["IPv6 loopback", "::1"],
    ["a private network", "10.1.2.3"],
    ["a private network", "192.168.1.1"],
    ["a private network", "172.20.0.5"],
    ["the cloud metadata service", "169.254.169.254"],
    ["carrier-grade NAT", "100.64.0.1"],
    ["unique-local IPv6", "fd00::1"],
    ["link-local IPv6", "fe80::1"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["NAT64 of a private address", "64:ff9b::a00:1"],
    ["the unspecified address", "0.0.0.0"],
    ["multicast", "224.0.0.251"],
  ])("refuses a host that resolves to %s (%s), before any connection", async (_kind, address) => {
    const before = host.hits("/client.json");
    const lookup = lookupAnswering(address);
    // The URL's port is the test host's: a guard that let the address through would reach it.
    const message = await refusal(`https://client.example.com:${host.port}/client.json`, { lookup });
    expect(message).toBe(
      "The host client.example.com of the client_id URL resolves to a private, loopback, link-local or otherwise internal address. Gatehouse fetches metadata documents from the public internet only.",
    );
    expect(message).not.toContain(address);
    expect(host.hits("/client.json")).toBe(before);
    expect(lookup.calls).toBe(1);
  });

  test("refuses a host with one internal address among public ones", async () => {
    const message = await refusal("https://client.example.com/client.json", { lookup: lookupAnswering("93.184.216.34", "10.0.0.7") });
    expect(message).toContain("resolves to a private, loopback, link-local or otherwise internal address");
  });

  test.each(["https://127.0.0.1:PORT/client.json", "https://[::1]:PORT/client.json", "https://169.254.169.254/latest/meta-data"])(
    "refuses the IP literal %s without the test-only setting",
    async (url) => {
      const before = host.hits("/client.json");
      const message = await refusal(url.replace("PORT", String(host.port)), {});
      expect(message).toContain("resolves to a private, loopback, link-local or otherwise internal address");
      expect(host.hits("/client.json")).toBe(before);
    },
  );

  test("refuses localhost itself without the test-only setting, through the system resolver", async () => {
    const before = host.hits("/client.json");
    expect(await refusal(host.url("/client.json"), {})).toContain("The host localhost of the client_id URL resolves to");
    expect(host.hits("/client.json")).toBe(before);
  });

  test("admits loopback only in test mode; other internal addresses stay refused there", async () => {
    const message = await refusal(`https://client.example.com:${host.port}/client.json`, { ...testing(), lookup: lookupAnswering("10.0.0.1") });
    expect(message).toContain("otherwise internal address");
  });

  test("resolves the host once and connects to the address it checked", async () => {
    const lookup = lookupAnswering("127.0.0.1");
    const before = host.hits("/client.json");
    // The certificate is for localhost, so the pinned connection to 127.0.0.1 must still check it against that name.
    const fetched = await fetchMetadataDocument(host.url("/client.json"), { ...testing(), lookup });
    expect(fetched.document).toEqual({ client_id: "x" });
    expect(lookup.calls).toBe(1);
    expect(host.hits("/client.json")).toBe(before + 1);
  });

  test("the address list is the one written down: public addresses pass, every special range fails", () => {
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "1.1.1.1"]) expect(isPublicAddress(address)).toBe(true);
    for (const address of ["192.0.2.1", "198.18.0.1", "240.0.0.1", "255.255.255.255", "2001:db8::1", "2002:a00:1::", "2001::1", "::", "ff02::1", "fec0::1", "::ffff:8.8.8.8", "not-an-ip"]) {
      expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: false });
    }
  });
});

describe("what the host answers", () => {
  test("a redirect is refused, and its target is never requested", async () => {
    host.route("/moved.json", (_request, response) => {
      response.writeHead(302, { location: host.url("/client.json") });
      response.end();
    });
    const before = host.hits("/client.json");
    expect(await refusal(host.url("/moved.json"), testing())).toBe(
      "The client_id URL answered with a redirect (HTTP 302). Gatehouse does not follow redirects: the document must be served at the client_id URL itself.",
    );
    expect(host.hits("/client.json")).toBe(before);
  });

  test("a body over 5 KB is refused while it streams, whatever Content-Length says", async () => {
    host.route("/huge.json", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      // Chunked, with no Content-Length: the limit must hold on the bytes themselves.
      response.write(`{"padding":"${"a".repeat(4000)}`);
      setTimeout(() => response.end(`${"b".repeat(4000)}"}`), 20);
    });
    host.route("/declared.json", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100000" });
      response.end();
    });
    expect(await refusal(host.url("/huge.json"), testing())).toMatch(/is larger than 5 KB, the most Gatehouse reads\.$/);
    expect(await refusal(host.url("/declared.json"), testing())).toMatch(/is larger than 5 KB/);
  });

  test("a server that does not answer in time is given up on", async () => {
    host.route("/silent.json", () => undefined);
    host.route("/trickle.json", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{");
    });
    const started = Date.now();
    expect(await refusal(host.url("/silent.json"), { ...testing(), timeoutMs: 300 })).toMatch(/took longer than 0.3 seconds\.$/);
    expect(await refusal(host.url("/trickle.json"), { ...testing(), timeoutMs: 300 })).toMatch(/took longer than 0.3 seconds\.$/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test("anything but a 200 JSON object response is refused with what was wrong, never the body", async () => {
    host.route("/missing.json", (_request, response) => {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("secret internal detail");
    });
    host.route("/page.html", (_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html>secret internal detail</html>");
    });
    host.route("/broken.json", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{secret internal detail");
    });
    const messages = [
      await refusal(host.url("/missing.json"), testing()),
      await refusal(host.url("/page.html"), testing()),
      await refusal(host.url("/broken.json"), testing()),
    ];
    expect(messages).toEqual([
      "The client_id URL answered HTTP 404; the metadata document must be served with 200.",
      "The metadata document must be served as application/json.",
      "The metadata document is not valid JSON.",
    ]);
    expect(messages.join(" ")).not.toContain("secret");
  });

  test("TLS verification stays on: a certificate nobody vouches for is refused", async () => {
    const message = await refusal(host.url("/client.json"), { testLoopback: {}, lookup: testHostLookup });
    expect(message).toBe(`The TLS certificate of localhost:${host.port} is not valid for it, so Gatehouse did not trust the connection.`);
  });

  test("plain http is refused", async () => {
    expect(await refusal(`http://localhost:${host.port}/client.json`, testing())).toBe("Metadata is fetched over https only.");
  });
});

