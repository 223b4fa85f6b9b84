import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { ClientIdentity } from "./client-identity";

const render = (client: { name: string; logoUri: string | null; metadataDocumentHost: string | null }, redirectsToThisComputer = false) =>
  renderToStaticMarkup(createElement(ClientIdentity, { client, redirectsToThisComputer }));

test("a registered client is named with its logo, and no host is put forward for it", () => {
  const page = render({ name: "Registered App", logoUri: "https://app.example.com/logo.png", metadataDocumentHost: null });
  expect(page).toContain("Registered App wants to use your account");
  expect(page).toContain('src="https://app.example.com/logo.png"');
  expect(page).not.toContain("Identified by");
});

test("a metadata-document client is introduced by the host that vouches for it, without the logo its document chose", () => {
  const page = render({ name: "Claude", logoUri: "https://brand.example.com/logo.png", metadataDocumentHost: "tools.attacker.example" });
  expect(page).toContain("Claude wants to use your account");
  expect(page).toMatch(/role="note".*Identified by <span[^>]*>tools\.attacker\.example<\/span>/s);
  expect(page).toContain("Gatehouse did not register this application");
  expect(page).toContain("Allow it only if you trust tools.attacker.example.");
  expect(page).not.toContain("<img");
});

test("a metadata-document client sending the person back to this computer gets a warning its host cannot vouch for that", () => {
  const client = { name: "Desktop App", logoUri: null, metadataDocumentHost: "desktop.example.com" };
  expect(render(client, true)).toContain("It sends you back to a program on this computer, which desktop.example.com cannot vouch for");
  expect(render(client, false)).not.toContain("program on this computer");
  expect(render({ ...client, metadataDocumentHost: null }, true)).not.toContain("program on this computer");
});
