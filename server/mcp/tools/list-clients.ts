import { z } from "zod";
import { listClientsInput } from "@/server/clients/inputs";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, clientOutput, nextCursorOutput, toClientOutput } from "./shapes";

export const listClients = defineTool("list_clients", {
  annotations: READ_ANNOTATIONS,
  inputSchema: listClientsInput.unwrap().shape,
  outputSchema: {
    clients: z.array(clientOutput).describe("One page of OAuth clients."),
    nextCursor: nextCursorOutput,
  },
  async run(input, { caller }) {
    const page = await caller.clients.list(input);
    return { clients: page.items.map(toClientOutput), nextCursor: page.nextCursor };
  },
});
