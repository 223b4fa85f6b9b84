import { z } from "zod";
import { completions, defineResource, MAX_COMPLETIONS } from "../resource";
import { getUser } from "../tools/get-user";

export const userResource = defineResource({
  name: "user",
  title: "A user",
  description:
    "One user in full, as get_user shows them: roles you can see, active sessions, MFA, ban, password and invitation state. Completion of userId searches email addresses and names of the users you can read.",
  uriTemplate: "gatehouse://users/{userId}",
  scope: "mcp:read",
  permissions: ["users:read"],
  contents: z.object(getUser.outputSchema),
  read: (id, context) => getUser.run({ id }, context),
  async complete(typed, { caller }) {
    const page = await caller.users.list({ search: typed || undefined, limit: MAX_COMPLETIONS });
    return completions(page.items.map((user) => user.id));
  },
});
