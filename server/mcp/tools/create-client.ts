import { z } from "zod";
import { createClientInput } from "@/server/clients/inputs";
import { defineTool } from "../tool";
import { CREATE_ANNOTATIONS, clientOutput, toClientOutput } from "./shapes";

export const createClient = defineTool("create_client", {
  annotations: CREATE_ANNOTATIONS,
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
