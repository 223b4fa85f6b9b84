"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { TextAreaField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { ConfirmDialog } from "../../_components/ui";
import type { AccountAction } from "./user-account";
import { scopeLabel, type UserAssignment } from "./shared";
import { useInvalidateUsers } from "./use-invalidate-users";
import { confirming } from "../../_components/use-confirmed-mutation";

export type Confirm = { kind: AccountAction } | { kind: "remove"; assignment: UserAssignment };

/**
 * The drawer's confirmations, each with its mutation. Rendered beside the drawer, not inside it:
 * React would otherwise deliver a nested <dialog>'s close event to the drawer's onClose as well.
 * Each opening mounts afresh (keyed by the caller), so an earlier error or reason is never shown again.
 */
export function UserConfirmations({
  target,
  confirm,
  onCancel,
  onDeleted,
}: {
  target: { id: string; email: string };
  confirm: Confirm | null;
  onCancel: () => void;
  onDeleted: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = useInvalidateUsers();
  const [banReason, setBanReason] = useState("");
  /** Closes the confirmation and says what was done; a refusal stays in the open dialog instead. */
  const done = (result: string) => () => {
    onCancel();
    invalidate();
    toast.success(result);
  };
  const ban = useMutation(trpc.users.ban.mutationOptions({ onSuccess: done(`${target.email} is banned and signed out everywhere.`) }));
  const resetMfa = useMutation(
    trpc.users.resetMfa.mutationOptions({
      onSuccess: done(`MFA was reset for ${target.email}: they have no second factor until they enrol again.`),
    }),
  );
  const remove = useMutation(
    trpc.roles.unassign.mutationOptions({
      onSuccess: (_data, variables) => {
        const removed = confirm?.kind === "remove" && confirm.assignment.roleId === variables.roleId ? confirm.assignment : null;
        done(removed ? `${target.email} no longer holds ${removed.roleName} in ${scopeLabel(removed.domainName)}.` : "The role is removed.")();
      },
    }),
  );
  const deleteUser = useMutation(
    trpc.users.delete.mutationOptions({
      onSuccess: () => {
        onCancel();
        onDeleted();
        toast.success(`${target.email} is deleted.`);
        queryClient.removeQueries({ queryKey: trpc.users.get.queryKey({ id: target.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() });
      },
    }),
  );

  return (
    <>
      <ConfirmDialog
        open={confirm?.kind === "ban"}
        onCancel={onCancel}
        {...confirming(ban, { id: target.id, ...(banReason.trim() ? { reason: banReason.trim() } : {}) })}
        title="Ban user"
        confirmLabel="Ban user"
      >
        <p>
          Ban <span className="font-semibold">{target.email}</span>? They are signed out everywhere at once and cannot sign in
          until unbanned.
        </p>
        <div className="mt-3">
          <TextAreaField
            label="Reason (optional)"
            value={banReason}
            maxLength={500}
            rows={3}
            onChange={(event) => setBanReason(event.target.value)}
            hint="Shown to administrators only."
          />
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "resetMfa"}
        onCancel={onCancel}
        {...confirming(resetMfa, { id: target.id })}
        title="Reset MFA"
        confirmLabel="Reset MFA"
      >
        <p>
          Reset two-factor authentication for <span className="font-semibold">{target.email}</span>? This removes their
          authenticator app, backup codes, passkeys and trusted devices. If a role or domain requires MFA of them, they must
          enrol again at their next sign-in.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "delete"}
        onCancel={onCancel}
        {...confirming(deleteUser, { id: target.id })}
        title="Delete user"
        confirmLabel="Delete user"
        typeToConfirm={target.email}
      >
        <p>
          Delete <span className="font-semibold">{target.email}</span> with their sessions, credentials, role assignments and
          invitations? This cannot be undone; the audit history keeps their id.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "remove"}
        onCancel={onCancel}
        onConfirm={() => {
          if (confirm?.kind !== "remove") return;
          remove.mutate({ userId: target.id, roleId: confirm.assignment.roleId, domainId: confirm.assignment.domainId });
        }}
        title="Remove role"
        confirmLabel="Remove role"
        pending={remove.isPending}
        error={remove.error?.message}
      >
        {confirm?.kind === "remove" ? (
          <p>
            Remove the role <span className="font-semibold">{confirm.assignment.roleName}</span> in{" "}
            <span className="font-semibold">{scopeLabel(confirm.assignment.domainName)}</span> from{" "}
            <span className="font-semibold">{target.email}</span>?
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
