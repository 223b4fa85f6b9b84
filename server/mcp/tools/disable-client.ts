import { z } from "zod";
import { clientIdInput } from "@/server/clients/inputs";
import { defineTool } from "../tool";
import { DESTRUCTIVE_ANNOTATIONS } from "./shapes";

export const disableClient = defineTool("disable_client", {
  annotations: DESTRUCTIVE_ANNOTATIONS,
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
