import { defineConfig, devices } from "@playwright/test";

/** The app under test is started once by e2e/global-setup.ts on this port, against a throwaway database. */
const port = Number(process.env.E2E_PORT ?? 3100);

const browserUse = {
  ...devices["Desktop Chrome"],
  headless: true,
  launchOptions: {
    executablePath: process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

/**
 * A phone: 390 × 844 CSS pixels (an iPhone 12 to 15), touch, mobile viewport rules, Chromium's
 * Android user agent. Below 1024 px the console's navigation is a sheet behind the menu button.
 */
const phoneUse = {
  ...browserUse,
  ...devices["Pixel 7"],
  viewport: { width: 390, height: 844 },
  screen: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  launchOptions: browserUse.launchOptions,
};

/** Run at both sizes; every other spec runs once, at desktop size, to keep the suite's time. */
const BOTH_SIZES = ["journeys.spec.ts", "screenshots.spec.ts"];

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: `http://localhost:${port}`,
    headless: true,
    trace: "retain-on-failure",
  },
  projects: [
    // The foundation journey creates the owner through the setup link; everything else needs that owner.
    { name: "foundation", testMatch: "foundation.spec.ts", use: browserUse },
    { name: "console", testIgnore: ["foundation.spec.ts", "operations/**"], dependencies: ["foundation"], use: browserUse },
    // The main journeys and the screenshots again on a phone (the console project has them at desktop size).
    { name: "phone", testMatch: BOTH_SIZES, dependencies: ["foundation"], use: phoneUse },
    // Servers of their own (several instances, crashes, shutdowns) from the same build; no browser.
    { name: "operations", testDir: "e2e/operations", timeout: 5 * 60_000 },
  ],
});
