import { z } from "zod";
import { completions, defineResource, MAX_COMPLETIONS } from "../resource";
import { clientOutput, toClientOutput } from "../tools/shapes";

export const clientResource = defineResource({
  name: "client",
  title: "An OAuth client",
  description:
    "One OAuth client you can read: type, redirect URIs, allowed scopes, owning domain, status and how many access tokens are live. Completion of clientId searches the names and client_ids of the clients you can read.",
  uriTemplate: "gatehouse://clients/{clientId}",
  scope: "mcp:read",
  permissions: ["clients:read"],
  contents: clientOutput.extend({ liveAccessTokens: z.number().describe("Unexpired, unrevoked access tokens issued to the client.") }),
  async read(clientId, { caller }) {
    const client = await caller.clients.get({ clientId });
    return { ...toClientOutput(client), liveAccessTokens: client.liveAccessTokens };
  },
  async complete(typed, { caller }) {
    const page = await caller.clients.list({ search: typed || undefined, limit: MAX_COMPLETIONS });
    return completions(page.items.map((client) => client.clientId));
  },
});
