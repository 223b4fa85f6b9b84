import { passkeyClient } from "@better-auth/passkey/client";
import { twoFactorClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

/** The only place client code talks to better-auth. */
export const authClient = createAuthClient({
  plugins: [
    twoFactorClient({
      // The query string may carry a signed OAuth request, which the challenge page hands back as `oauth_query`.
      // Called outside any component, so there is no Next router to hand this to.
      onTwoFactorRedirect: () => {
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        window.location.href = `/two-factor${window.location.search}`;
      },
    }),
    passkeyClient(),
  ],
});
