import { z } from "zod";
import { createClientInput } from "@/server/oauth/clients";
import { defineTool } from "../tool";
import { clientOutput, toClientOutput } from "./shapes";

export const createClient = defineTool({
  name: "create_client",
  title: "Register an OAuth client",
  description:
    "Registers an OAuth client (public with PKCE, or confidential with a secret) with exact redirect URIs and allowed scopes, owned by a domain (domainId from list_domains) or installation-wide (domainId null). Its MCP scopes cannot go beyond the tools your roles let you use there, and people are always asked for consent. A confidential client's secret is returned in this answer only: hand it to the person at once.",
  scope: "mcp:write",
  permissions: ["clients:write"],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  // Trusting a client (no consent screen) is for an administrator in the console, never for a token.
  inputSchema: createClientInput.omit({ skipConsent: true }).shape,
  outputSchema: {
    client: clientOutput.describe("The registered client."),
    clientSecret: z
      .string()
      .nullable()
      .describe(
        "The confidential client's secret, shown only once: Gatehouse keeps only its hash, so it cannot be shown again (rotate it to get a new one). Null for a public client.",
      ),
  },
  async run(input, { caller }) {
    const created = await caller.clients.create(input);
    return { client: toClientOutput(created.client), clientSecret: created.clientSecret };
  },
});
