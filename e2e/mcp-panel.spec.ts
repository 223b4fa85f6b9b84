import { expect, test } from "@playwright/test";
import { OWNER } from "./accounts";
import { signInThroughUi } from "./sign-in";

/**
 * The owner finds how to connect an MCP client on the Clients page and previews what a token would
 * list. The URLs are fetched too, since a panel showing a plausible but dead address would still look fine.
 */

test("the owner copies the MCP URL and sees the tools each set of scopes would list", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInThroughUi(page, OWNER);
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Clients" }).click();
  await expect(page.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();

  const panel = page.getByRole("region", { name: "Connect an MCP client" });
  await expect(panel).toBeVisible();
  const mcpUrlField = panel.getByRole("textbox", { name: "MCP URL" });
  await expect(mcpUrlField).toHaveValue(/^https?:\/\/[^/]+\/mcp$/);
  const mcpUrl = await mcpUrlField.inputValue();
  const metadataUrl = await panel.getByRole("textbox", { name: "Resource metadata URL" }).inputValue();
  expect(metadataUrl).toBe(`${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`);

  const metadata = await page.request.get(metadataUrl);
  expect(metadata.status()).toBe(200);
  expect(((await metadata.json()) as { resource: string }).resource).toBe(mcpUrl);
  // Without a token the endpoint answers with a challenge that points at the same metadata.
  const unauthenticated = await page.request.post(mcpUrl, { data: { jsonrpc: "2.0", id: 1, method: "tools/list" } });
  expect(unauthenticated.status()).toBe(401);
  expect(unauthenticated.headers()["www-authenticate"]).toContain(`resource_metadata="${metadataUrl}"`);

  await panel.getByRole("button", { name: "Copy MCP URL" }).click();
  await expect(panel.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(mcpUrl);

  const snippets = panel.getByRole("tabpanel");
  await panel.getByRole("tab", { name: "Claude Code" }).click();
  await expect(snippets).toContainText(`claude mcp add --transport http gatehouse ${mcpUrl}`);
  await panel.getByRole("tab", { name: "VS Code" }).click();
  await expect(snippets).toContainText(".vscode/mcp.json");
  await expect(snippets).toContainText(`"url": "${mcpUrl}"`);

  const read = panel.getByRole("checkbox", { name: "mcp:read" });
  const write = panel.getByRole("checkbox", { name: "mcp:write" });
  const admin = panel.getByRole("checkbox", { name: "mcp:admin" });
  await expect(read).toBeChecked();
  await expect(write).not.toBeChecked();
  await expect(admin).not.toBeChecked();

  const testButton = panel.getByRole("button", { name: "Test connection" });
  const tools = panel.getByRole("list", { name: "Tools the token would see" });
  await testButton.click();
  await expect(panel.getByText(/^A token with mcp:read would see/)).toBeVisible();
  await expect(tools.getByText("whoami", { exact: true })).toBeVisible();
  await expect(tools.getByText("mcp:read", { exact: true }).first()).toBeVisible();
  await expect(tools.getByText("mcp:write", { exact: true })).toHaveCount(0);
  await expect(tools.getByText("mcp:admin", { exact: true })).toHaveCount(0);
  const readOnlyCount = await tools.getByRole("listitem").count();

  await write.check();
  await admin.check();
  await testButton.click();
  await expect(panel.getByText(/^A token with mcp:read, mcp:write, mcp:admin would see/)).toBeVisible();
  await expect(tools.getByText("whoami", { exact: true })).toBeVisible();
  expect(await tools.getByRole("listitem").count()).toBeGreaterThan(readOnlyCount);
  await expect(tools.getByText("mcp:admin", { exact: true }).first()).toBeVisible();

  await read.uncheck();
  await write.uncheck();
  await admin.uncheck();
  await testButton.click();
  await expect(panel.getByText("A token with no MCP scope would see no tools.", { exact: false })).toBeVisible();
  await expect(tools).toHaveCount(0);
});
