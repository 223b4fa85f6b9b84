import { z } from "zod";
import { listClientsInput } from "@/server/oauth/clients";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, clientOutput, nextCursorOutput, toClientOutput } from "./shapes";

export const listClients = defineTool({
  name: "list_clients",
  title: "List OAuth clients",
  description:
    "Lists the OAuth clients you can read, newest first; filter by owning domainId, type (public or confidential), status (active or disabled) or a search on name and client_id. Results come a page at a time: pass the returned nextCursor as cursor for the next page. Use the clientId values with disable_client, revoke_grant and list_sessions_and_grants.",
  scope: "mcp:read",
  permissions: ["clients:read"],
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
