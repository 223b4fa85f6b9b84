import type { Locator, Page } from "@playwright/test";

/**
 * A toast with this text: the console tells the result of an action there (sonner, in its
 * "Notifications" live region), not in the page. Form errors stay next to their fields.
 */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.getByRole("region", { name: /^Notifications/ }).getByRole("listitem").filter({ hasText: text });
}
