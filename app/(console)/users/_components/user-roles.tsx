"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { FormAlert } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Section, Button, LocalTime, SelectField } from "../../_components/ui";
import { scopeLabel, type AssignableScope, type UserAssignment, type UserDetail } from "./shared";
import { useInvalidateUsers } from "./use-invalidate-users";

/** The user's role assignments, each with "Remove" where the server allows it, and the form to assign another. */
export function RolesSection({
  user,
  isSelf,
  onRemove,
}: {
  user: UserDetail;
  isSelf: boolean;
  onRemove: (assignment: UserAssignment) => void;
}) {
  return (
    <Section title="Roles" level={3} headingClassName="text-sm font-semibold text-slate-900" className="space-y-3">
      {isSelf ? <p className="text-sm text-slate-500">You cannot change your own roles.</p> : null}
      {user.roles.length === 0 ? (
        <p className="text-sm text-slate-500">No role assignments that you can see.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
          {user.roles.map((assignment) => (
            <li key={assignment.assignmentId} className="flex items-center justify-between gap-3 px-3 py-2 text-sm">
              <div className="min-w-0">
                <p className="font-medium">{assignment.roleName}</p>
                <p className="text-xs text-slate-500">
                  {scopeLabel(assignment.domainName)} · since <LocalTime value={assignment.createdAt} />
                </p>
              </div>
              {assignment.can.unassign ? (
                <Button
                  variant="ghost"
                  aria-label={`Remove ${assignment.roleName} in ${scopeLabel(assignment.domainName)}`}
                  onClick={() => onRemove(assignment)}
                >
                  Remove
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {user.assignable.length > 0 ? <AssignRoleForm user={user} scopes={user.assignable} /> : null}
    </Section>
  );
}

function AssignRoleForm({ user, scopes }: { user: UserDetail; scopes: AssignableScope[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const [domainId, setDomainId] = useState(scopes[0]?.domainId ?? "");
  const [roleId, setRoleId] = useState("");
  const titleId = useId();
  const assign = useMutation(
    trpc.roles.assign.mutationOptions({
      onSuccess: (_data, variables) => {
        const scope = scopes.find((option) => (option.domainId ?? null) === variables.domainId);
        const roleName = scope?.roles.find((choice) => choice.roleId === variables.roleId)?.roleName ?? "The role";
        setRoleId("");
        invalidate();
        toast.success(`${user.email} now holds ${roleName} in ${scopeLabel(scope?.domainName ?? null)}.`);
      },
    }),
  );

  const scopeOf = (value: string) => scopes.find((scope) => (scope.domainId ?? "") === value);
  const held = (chosenRoleId: string, scope: string | null) =>
    user.roles.some((assignment) => assignment.roleId === chosenRoleId && assignment.domainId === scope);
  const availability = (choice: AssignableScope["roles"][number], scope: string | null): string | null =>
    held(choice.roleId, scope) ? "already held here" : choice.can.assign ? null : "beyond your permissions here";

  function changeDomain(next: string) {
    setDomainId(next);
    const chosen = scopeOf(next)?.roles.find((choice) => choice.roleId === roleId);
    if (roleId && (!chosen || availability(chosen, next || null) !== null)) setRoleId("");
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!roleId) return;
    assign.mutate({ userId: user.id, roleId, domainId: domainId || null });
  }

  const scope = domainId || null;
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-3 rounded-md border border-slate-200 p-3" aria-labelledby={titleId}>
      <p id={titleId} className="text-sm font-medium text-slate-900">
        Assign a role
      </p>
      <FormAlert message={assign.error?.message} />
      <div className="grid grid-cols-2 gap-3">
        <SelectField label="Role" value={roleId} required onChange={(event) => setRoleId(event.target.value)}>
          <option value="">Choose a role</option>
          {(scopeOf(domainId)?.roles ?? []).map((choice) => {
            const blocked = availability(choice, scope);
            return (
              <option key={choice.roleId} value={choice.roleId} disabled={blocked !== null}>
                {blocked ? `${choice.roleName} (${blocked})` : choice.roleName}
              </option>
            );
          })}
        </SelectField>
        <SelectField label="Domain" value={domainId} onChange={(event) => changeDomain(event.target.value)}>
          {scopes.map((option) => (
            <option key={option.domainId ?? "global"} value={option.domainId ?? ""}>
              {scopeLabel(option.domainName)}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="flex justify-end">
        <Button type="submit" variant="primary" disabled={!roleId} pending={assign.isPending} pendingLabel="Assigning…">
          Assign role
        </Button>
      </div>
    </form>
  );
}
