import type { BetterAuthPlugin } from "better-auth";
import type { SendEmail } from "@/server/email/send";

/**
 * Offers the instance's one way of sending email (SMTP, the development outbox or the terminal) on
 * the auth context, for the emails Gatehouse sends outside better-auth's endpoints (invitations), so
 * they go wherever better-auth's own reset and verification emails go.
 */
export function outgoingEmail(sendEmail: SendEmail) {
  return {
    id: "outgoing-email",
    init: () => ({ context: { sendEmail } }),
  } satisfies BetterAuthPlugin;
}
