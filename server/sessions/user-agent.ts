import Bowser from "bowser";

/** What a session's user agent says about where it runs, for people to recognise their own devices. */
export interface UserAgentDescription {
  /** The browser and its major version, "Chrome 131"; null when the agent names no known browser. */
  browser: string | null;
  /** The phone or tablet model when the agent names one ("iPhone"), else the operating system ("macOS"). */
  platform: string | null;
  /** One label for both, "Chrome 131 on macOS", or the agent's product name when neither is known. */
  device: string;
}

const MAX_LABEL = 60;

export function describeUserAgent(userAgent: string | null): UserAgentDescription {
  if (!userAgent) return { browser: null, platform: null, device: "Unknown device" };
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split(".")[0];
  const browser = parsed.browser.name ? (major ? `${parsed.browser.name} ${major}` : parsed.browser.name) : null;
  const platform = parsed.platform.model ?? parsed.os.name ?? null;
  const device =
    browser && platform ? `${browser} on ${platform}`
    : (browser ?? platform ?? userAgent.split(/[\s/]/)[0]!.slice(0, MAX_LABEL)) || "Unknown device";
  return { browser, platform, device };
}
