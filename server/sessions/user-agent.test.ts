import { describe, expect, it } from "vitest";
import { describeUserAgent } from "./user-agent";

describe("describeUserAgent", () => {
  it("names the browser with its major version and the operating system", () => {
    expect(
      describeUserAgent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      ),
    ).toEqual({ browser: "Chrome 131", platform: "macOS", device: "Chrome 131 on macOS" });
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0").device).toBe("Firefox 133 on Linux");
  });

  it("names the phone or tablet model where the agent gives one", () => {
    expect(
      describeUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ),
    ).toEqual({ browser: "Safari 17", platform: "iPhone", device: "Safari 17 on iPhone" });
  });

  it("tells Edge from the Chrome it is built on", () => {
    expect(
      describeUserAgent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
      ).device,
    ).toBe("Microsoft Edge 131 on Windows");
  });

  it("falls back to the product name for a program that is no browser, and says so when there is no agent", () => {
    expect(describeUserAgent("curl/8.5.0")).toEqual({ browser: null, platform: null, device: "curl" });
    expect(describeUserAgent(null)).toEqual({ browser: null, platform: null, device: "Unknown device" });
    expect(describeUserAgent("").device).toBe("Unknown device");
  });
});
