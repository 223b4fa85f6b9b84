"use client";

import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import { ConfirmDialog } from "../../_components/ui";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { useInvalidateUsers } from "./use-invalidate-users";

interface Invitee {
  id: string;
  email: string;
}

/**
 * "Resend invitation" for someone who has not set their password yet, from a row or the drawer:
 * `ask(user)` opens the confirmation, `dialog` renders it. The server emails a new link (the old
 * one stops working) and a step-up prompt appears first when it asks for one (the tRPC link).
 * The answer only says whether the email went; the link itself never comes back to the console.
 */
export function useResendInvitation() {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const resend = useConfirmedMutation({
    mutation: trpc.users.resendInvitation.mutationOptions(),
    variables: (user: Invitee) => ({ id: user.id }),
    onSuccess: (sent) => {
      if (sent.emailed) toast.success(`We emailed a new invitation link to ${sent.email}. The previous link no longer works.`);
      else {
        toast.error(
          `The invitation email to ${sent.email} could not be sent, and the previous link no longer works. Try again later, or use "Send a new invite link" in their details to pass a link on yourself.`,
        );
      }
      invalidate();
    },
  });
  const target = resend.target;
  return {
    ask: resend.ask,
    dialog: (
      <ConfirmDialog {...resend.dialog} title="Resend invitation" confirmLabel="Send invitation" variant="primary">
        <p>
          Email a new invitation link to <span className="font-semibold">{target?.email}</span>? The link they have now stops
          working; the new one is valid for 7 days.
        </p>
      </ConfirmDialog>
    ),
  };
}
