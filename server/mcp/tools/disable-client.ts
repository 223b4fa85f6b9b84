import { z } from "zod";
import { clientIdInput } from "@/server/oauth/clients";
import { defineTool } from "../tool";

export const disableClient = defineTool({
  name: "disable_client",
  title: "Disable an OAuth client",
  description:
    "Disables an OAuth client (clientId from list_clients): it gets invalid_client at the token endpoint and every token it holds stops working at once. Disabling a disabled client changes nothing; re-enabling is done in the console and does not bring revoked tokens back.",
  scope: "mcp:admin",
  permissions: ["clients:admin"],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema: clientIdInput.shape,
  outputSchema: {
    clientId: z.string().describe("The client's id."),
    name: z.string().describe("The client's name."),
    domainId: z.string().nullable().describe("The owning domain's id; null for an installation-wide client."),
    disabled: z.boolean().describe("Whether the client is now disabled."),
  },
  async run(input, { caller }) {
    const client = await caller.clients.disable(input);
    return { clientId: client.clientId, name: client.name, domainId: client.domainId, disabled: client.disabled };
  },
});
