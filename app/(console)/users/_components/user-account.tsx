"use client";

import { useMutation } from "@tanstack/react-query";
import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Section, Button } from "../../_components/ui";
import type { UserDetail } from "./shared";
import { useInvalidateUsers } from "./use-invalidate-users";

export type AccountAction = "ban" | "resetMfa" | "delete";

/** Ban, unban, reset MFA and delete, each shown where the server's flag allows it and the account's state calls for it. */
export function AccountSection({
  user,
  onAsk,
}: {
  user: UserDetail;
  onAsk: (action: AccountAction) => void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const unban = useMutation(
    trpc.users.unban.mutationOptions({
      onSuccess: () => {
        invalidate();
        toast.success(`${user.email} is unbanned and can sign in again.`);
      },
      onError: (error) => toast.error(`${user.email} could not be unbanned: ${error.message}`),
    }),
  );
  const { can } = user;
  if (!can.ban && !can.unban && !can.resetMfa && !can.delete) return null;
  return (
    <Section title="Account" level={3} headingClassName="text-sm font-semibold text-slate-900" className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {can.unban && user.banned ? (
          <Button pending={unban.isPending} pendingLabel="Unbanning…" onClick={() => unban.mutate({ id: user.id })}>
            Unban user
          </Button>
        ) : null}
        {can.ban && !user.banned ? (
          <Button variant="danger" onClick={() => onAsk("ban")}>
            Ban user
          </Button>
        ) : null}
        {can.resetMfa && user.mfa.enrolled ? (
          <Button variant="danger" onClick={() => onAsk("resetMfa")}>
            Reset MFA
          </Button>
        ) : null}
        {can.delete ? (
          <Button variant="danger" onClick={() => onAsk("delete")}>
            Delete user
          </Button>
        ) : null}
      </div>
    </Section>
  );
}
