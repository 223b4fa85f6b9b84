"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { ConfirmDialog } from "@/app/(console)/_components/ui";
import { CheckboxField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { useInvalidate } from "@/app/(console)/_components/use-invalidate";
import { confirming } from "../../_components/use-confirmed-mutation";

function members(count: number): string {
  return count === 1 ? "1 member" : `${count} members`;
}

export function DeleteDomainDialog({
  open,
  onClose,
  domain,
}: {
  open: boolean;
  onClose: () => void;
  domain: { id: string; name: string; slug: string; memberCount: number };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = useInvalidate();
  const router = useRouter();
  const [cascade, setCascade] = useState(false);

  const remove = useMutation(
    trpc.domains.delete.mutationOptions({
      onSuccess: async () => {
        // The domain's own query is dropped rather than refetched: it would only answer "not found".
        queryClient.removeQueries({ queryKey: trpc.domains.get.queryKey({ id: domain.id }) });
        router.push("/domains");
        toast.success(`Domain ${domain.name} deleted.`);
        // A cascade takes roles away, possibly the caller's own, so everything derived from roles is stale.
        await invalidate(
          trpc.domains.list.pathKey(),
          trpc.domains.members.pathKey(),
          trpc.users.pathKey(),
          trpc.roles.pathKey(),
          trpc.me.pathKey(),
          trpc.audit.pathKey(),
        );
      },
    }),
  );

  function close() {
    onClose();
    setCascade(false);
    remove.reset();
  }

  const hasMembers = domain.memberCount > 0;
  const possessive = domain.memberCount === 1 ? "1 member's" : `${domain.memberCount} members'`;
  return (
    <ConfirmDialog
      open={open}
      onCancel={close}
      {...confirming(remove, { id: domain.id, cascade: hasMembers && cascade })}
      title="Delete domain"
      confirmLabel="Delete domain"
      typeToConfirm={domain.slug}
    >
      <div className="space-y-3">
        <p>
          Delete the domain <strong>{domain.name}</strong> (<span className="font-mono">{domain.slug}</span>)? Its email domains are
          released and this cannot be undone.
        </p>
        {hasMembers ? (
          <>
            <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
              This domain still has {members(domain.memberCount)}. A domain with members is only deleted together with
              their roles in it; without the box below, the deletion is refused.
            </p>
            <CheckboxField
              label={`Also remove its ${possessive} roles in this domain`}
              labelClassName="font-medium"
              checked={cascade}
              onChange={setCascade}
            />
          </>
        ) : (
          <p>It has no members.</p>
        )}
      </div>
    </ConfirmDialog>
  );
}
