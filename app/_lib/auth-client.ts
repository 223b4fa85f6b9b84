import { createAuthClient } from "better-auth/react";

/** The only place client code talks to better-auth. */
export const authClient = createAuthClient();
