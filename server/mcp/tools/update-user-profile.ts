import { z } from "zod";
import { updateUserInput } from "@/server/users/inputs";
import { defineTool } from "../tool";
import { UPDATE_ANNOTATIONS } from "./shapes";

export const updateUserProfile = defineTool("update_user_profile", {
  annotations: UPDATE_ANNOTATIONS,
  inputSchema: updateUserInput.shape,
  outputSchema: {
    id: z.string().describe("The user's id."),
    email: z.string().describe("The sign-in email address."),
    name: z.string().describe("The display name now in effect."),
  },
  async run(input, { caller }) {
    const updated = await caller.users.update(input);
    return { id: updated.id, email: updated.email, name: updated.name };
  },
});
