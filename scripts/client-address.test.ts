import { expect, test } from "vitest";
import { clientAddress, parseTrustedProxies } from "./client-address.mjs";

const loopback = parseTrustedProxies("127.0.0.1,::1");
const balancer = parseTrustedProxies("10.0.0.0/8");

test("a client that is not a trusted proxy is its connection's address, whatever header it sends", () => {
  expect(clientAddress("203.0.113.9", "198.51.100.1", loopback)).toBe("203.0.113.9");
  expect(clientAddress("::ffff:203.0.113.9", "1.2.3.4, 5.6.7.8", loopback)).toBe("203.0.113.9");
  expect(clientAddress("203.0.113.9", undefined, parseTrustedProxies(""))).toBe("203.0.113.9");
});

test("behind trusted proxies the client is the right-most address that is not one of them", () => {
  expect(clientAddress("127.0.0.1", "198.51.100.7", loopback)).toBe("198.51.100.7");
  expect(clientAddress("10.1.2.3", "1.1.1.1, 198.51.100.7, 10.9.9.9", balancer)).toBe("198.51.100.7");
  // Everything the client wrote to the left of the real hop is ignored.
  expect(clientAddress("10.1.2.3", "spoofed, 198.51.100.7", balancer)).toBe("198.51.100.7");
});

test("a trusted proxy without a header, or with garbage at the end, is the client itself", () => {
  expect(clientAddress("::1", undefined, loopback)).toBe("::1");
  expect(clientAddress("10.1.2.3", "198.51.100.7, not-an-ip", balancer)).toBe("10.1.2.3");
  expect(clientAddress("10.1.2.3", "10.4.4.4", balancer)).toBe("10.4.4.4");
});

test("a setting that is not addresses or ranges is refused", () => {
  expect(() => parseTrustedProxies("10.0.0.0/8, proxy.internal")).toThrow('"proxy.internal" is not an IP address or CIDR range');
});
