"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Dialog, ErrorState, LoadingState } from "../../_components/ui";
import { AccountSection } from "./user-account";
import { useResendInvitation } from "./resend-invitation";
import { UserConfirmations, type Confirm } from "./user-confirmations";
import { ProfileSection } from "./user-profile";
import { RolesSection } from "./user-roles";

export interface DrawerTarget {
  id: string;
  email: string;
}

/**
 * Which user the drawer shows. `opening` counts openings: each one mounts a fresh drawer, so a
 * message from an earlier visit is never shown again. After closing, the target stays so that
 * the <dialog> closes itself (and gives focus back) before it is replaced.
 */
export interface DrawerState {
  target: DrawerTarget;
  open: boolean;
  opening: number;
}

/** The side drawer for one user; every control in it renders from the `can` flags of users.get. */
export function UserDrawer({ state, onClose }: { state: DrawerState | null; onClose: () => void }) {
  if (!state) return null;
  return <UserDrawerContent key={state.opening} target={state.target} open={state.open} onClose={onClose} />;
}

function UserDrawerContent({ target, open, onClose }: { target: DrawerTarget; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const detail = useQuery({ ...trpc.users.get.queryOptions({ id: target.id }), enabled: open });
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  // Each confirmation mounts afresh, so an earlier error or ban reason is not shown again.
  const [asked, setAsked] = useState(0);
  const resend = useResendInvitation();

  function ask(next: Confirm) {
    setAsked((count) => count + 1);
    setConfirm(next);
  }

  const user = detail.data;
  let body: ReactNode;
  if (detail.isPending) {
    body = <LoadingState label={`Loading ${target.email}`} />;
  } else if (detail.isError) {
    body = <ErrorState message={`This user could not be loaded: ${detail.error.message}`} onRetry={() => void detail.refetch()} />;
  } else if (user) {
    body = (
      <div className="space-y-8">
        <ProfileSection user={user} onResendInvitation={() => resend.ask(user)} />
        <RolesSection user={user} isSelf={me.data?.id === target.id} onRemove={(assignment) => ask({ kind: "remove", assignment })} />
        <AccountSection user={user} onAsk={(kind) => ask({ kind })} />
      </div>
    );
  }

  return (
    <>
      <Dialog open={open} side onClose={onClose} title={target.email}>
        {body}
      </Dialog>
      <UserConfirmations
        key={asked}
        target={target}
        confirm={confirm}
        onCancel={() => setConfirm(null)}
        onDeleted={onClose}
      />
      {resend.dialog}
    </>
  );
}
