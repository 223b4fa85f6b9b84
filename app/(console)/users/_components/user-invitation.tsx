"use client";

import { useMutation } from "@tanstack/react-query";
import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button } from "../../_components/ui";
import { InviteLink, type UserDetail } from "./shared";
import { useInvalidateUsers } from "./use-invalidate-users";

/**
 * An invited user's two ways to a new link, where the server's flags allow them: "Resend invitation"
 * emails it to them (confirmed by the drawer, `onResend`), "Send a new invite link" shows it here
 * for the administrator to pass on.
 */
export function InvitationActions({ user, onResend }: { user: UserDetail; onResend: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  // The new link is shown here to be passed on; a refusal has nothing to show, so it is a toast.
  const reinvite = useMutation(
    trpc.users.reinvite.mutationOptions({
      onSuccess: invalidate,
      onError: (error) => toast.error(`No new invite link was issued for ${user.email}: ${error.message}`),
    }),
  );
  const canResend = user.can.resendInvitation && user.invited;
  const canReinvite = user.can.reinvite && user.invitationPending;
  if (!canResend && !canReinvite) return null;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {canResend ? <Button onClick={onResend}>Resend invitation</Button> : null}
        {canReinvite ? (
          <Button pending={reinvite.isPending} pendingLabel="Issuing a new link…" onClick={() => reinvite.mutate({ id: user.id })}>
            Send a new invite link
          </Button>
        ) : null}
      </div>
      {reinvite.data ? (
        <div className="space-y-2">
          <p role="status" className="text-sm text-slate-700">
            A new invite link was issued; the previous one no longer works.
          </p>
          <InviteLink url={reinvite.data.inviteUrl} expiresAt={reinvite.data.expiresAt} />
        </div>
      ) : null}
    </div>
  );
}
