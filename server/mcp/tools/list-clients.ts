import { listClientsInput } from "@/server/clients/inputs";
import { defineTool } from "../tool";
import { clientOutput, pageTool, toClientOutput } from "./shapes";

export const listClients = defineTool(
  "list_clients",
  pageTool({
    inputSchema: listClientsInput.unwrap().shape,
    key: "clients",
    row: clientOutput,
    description: "One page of OAuth clients.",
    list: (caller, input) => caller.clients.list(input),
    toOutput: toClientOutput,
  }),
);
