"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { FormAlert, TextField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Section, Badge, Button, FormFooter, LocalTime, fieldError } from "../../_components/ui";
import { mfaDescription, type UserDetail } from "./shared";
import { InvitationActions } from "./user-invitation";
import { useInvalidateUsers } from "./use-invalidate-users";

function signInState(user: UserDetail): ReactNode {
  if (user.invitationPending) {
    return (
      <>
        Invitation pending
        {user.invitationExpiresAt ? (
          <>
            {" "}
            (the link {new Date(user.invitationExpiresAt) < new Date() ? "expired" : "expires"} <LocalTime value={user.invitationExpiresAt} />)
          </>
        ) : null}
      </>
    );
  }
  return user.hasPassword ? "Password set" : "No password (signs in another way)";
}

/** The user's profile, with "Edit name" and the invitation's actions where the server's flags allow them. */
export function ProfileSection({ user, onResendInvitation }: { user: UserDetail; onResendInvitation: () => void }) {
  const [editing, setEditing] = useState(false);

  const rows: Array<[string, ReactNode]> = [
    ["Name", user.name],
    ["Email", user.email],
    ["Email verified", user.emailVerified ? "Yes" : "No"],
    ["Created", <LocalTime key="created" value={user.createdAt} />],
    ["Active sessions", String(user.sessionsCount)],
    ["Two-factor", mfaDescription(user.mfa)],
    ["Sign-in", signInState(user)],
    [
      "Status",
      user.banned ? (
        <span key="status">
          <Badge tone="red">Banned</Badge>{" "}
          <span className="text-slate-600">
            since <LocalTime value={user.banned.bannedAt} />
            {user.banned.bannedByEmail ? ` by ${user.banned.bannedByEmail}` : ""}
            {user.banned.reason ? `: ${user.banned.reason}` : ""}
          </span>
        </span>
      ) : (
        "Active"
      ),
    ],
  ];
  const canEdit = user.can.update && !editing;

  return (
    <Section title="Profile" level={3} headingClassName="text-sm font-semibold text-slate-900" className="space-y-3">
      <dl className="divide-y divide-slate-100 rounded-md border border-slate-200">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-3 gap-3 px-3 py-2 text-sm">
            <dt className="text-slate-500">{label}</dt>
            <dd className="col-span-2 break-words">{value}</dd>
          </div>
        ))}
      </dl>
      {editing ? <EditNameForm user={user} onDone={() => setEditing(false)} /> : null}
      {canEdit ? <Button onClick={() => setEditing(true)}>Edit name</Button> : null}
      <InvitationActions user={user} onResend={onResendInvitation} />
    </Section>
  );
}

function EditNameForm({ user, onDone }: { user: UserDetail; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const update = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: (_data, { name }) => {
        invalidate();
        onDone();
        toast.success(`The name of ${user.email} is now ${name.trim()}.`);
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ id: user.id, name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-3 rounded-md border border-slate-200 p-3" noValidate>
      <FormAlert message={update.error?.message} />
      <TextField label="Name" name="name" defaultValue={user.name} required autoFocus error={fieldError(update.error, "name")} />
      <FormFooter onCancel={onDone} submitLabel="Save name" pending={update.isPending} pendingLabel="Saving…" />
    </form>
  );
}
