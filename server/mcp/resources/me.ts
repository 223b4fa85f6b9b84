import { z } from "zod";
import { defineResource } from "../resource";
import { whoami } from "../tools/whoami";

export const meResource = defineResource({
  name: "me",
  title: "Who I am",
  description:
    "The Gatehouse user this connection acts for, the OAuth client and scopes of the token, the user's domains and effective permissions: the same document as the whoami tool.",
  uriTemplate: "gatehouse://me",
  scope: "mcp:read",
  permissions: [],
  contents: z.object(whoami.outputSchema),
  read: (_id, context) => whoami.run({}, context),
});
