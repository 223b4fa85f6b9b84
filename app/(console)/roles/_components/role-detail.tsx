"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DataTable, loadedPage, useListState } from "../../_components/data-table";
import { listParsers, prefixedKeys } from "../../_components/list-params";
import { actionColumn, UserCell } from "../../_components/list";
import { Section, Badge, Button, ConfirmDialog, EmptyState, ErrorState, LoadingState, Panel, SelectField, LocalTime } from "../../_components/ui";
import { RoleEditor } from "./role-editor";
import { permissionCount, scopeLabel, type RoleAssignment, type RoleDetail } from "./shared";

type Confirm = { kind: "delete" } | { kind: "remove"; assignment: RoleAssignment };

function times(count: number): string {
  return count === 1 ? "once" : `${count} times`;
}

export function RoleDetailView({ id }: { id: string }) {
  const trpc = useTRPC();
  const role = useQuery(trpc.roles.get.queryOptions({ id }));

  if (role.isPending) {
    return (
      <Panel>
        <LoadingState label="Loading the role" />
      </Panel>
    );
  }
  if (role.isError) {
    return (
      <div className="space-y-4">
        <BackLink />
        <h1 className="text-2xl font-semibold tracking-tight">Role</h1>
        <Panel>
          <ErrorState message={`This role could not be loaded: ${role.error.message}`} onRetry={() => void role.refetch()} />
        </Panel>
      </div>
    );
  }
  return <RoleDetailLoaded role={role.data} />;
}

const HOLDERS_PARAMS = listParsers([] as const);
const HOLDERS_URL_KEYS = prefixedKeys(["sort", "pages", "hide"] as const, "holders.");

function BackLink() {
  return (
    <Link href="/roles" className="text-sm font-medium text-brand-600 hover:underline">
      ← All roles
    </Link>
  );
}

function RoleDetailLoaded({ role }: { role: RoleDetail }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const canDelete = role.can.delete;
  const otherRoles = useQuery({ ...trpc.roles.list.queryOptions(), enabled: canDelete });
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [reassignTo, setReassignTo] = useState("");
  const [reassignMissing, setReassignMissing] = useState(false);
  const definitionId = useId();
  // The holders table's hidden columns sit in the URL behind "holders.".
  const holders = useListState(HOLDERS_PARAMS, HOLDERS_URL_KEYS);

  const deleteRole = useMutation(
    trpc.roles.delete.mutationOptions({
      onSuccess: () => {
        setConfirm(null);
        // The deleted role's own entry is left alone: refetching it now would only find nothing.
        void queryClient.invalidateQueries({ queryKey: trpc.roles.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.roles.get.queryKey({ id: role.id }), refetchType: "none" });
        router.push("/roles");
        toast.success(`Role ${role.name} deleted.`);
      },
    }),
  );
  const unassign = useMutation(
    trpc.roles.unassign.mutationOptions({
      onSuccess: () => {
        if (confirm?.kind === "remove") {
          const { userEmail, domainName } = confirm.assignment;
          toast.success(`${userEmail} no longer holds ${role.name} in ${scopeLabel(domainName)}.`);
        }
        setConfirm(null);
        void queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() });
      },
    }),
  );

  function ask(next: Confirm) {
    deleteRole.reset();
    unassign.reset();
    setReassignTo("");
    setReassignMissing(false);
    setConfirm(next);
  }

  const assigned = role.assignmentCount;
  const reassignOptions = (otherRoles.data ?? []).filter((other) => other.id !== role.id);

  return (
    <div className="space-y-6">
      <BackLink />
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="text-2xl font-semibold tracking-tight break-all">{role.name}</h1>
            {role.builtIn ? <Badge tone="brand">Built-in</Badge> : <Badge>Custom</Badge>}
            {role.requiresMfa ? <Badge tone="green">Requires MFA</Badge> : null}
            <Badge>{permissionCount(role.permissions.length)}</Badge>
            <Badge>{assigned === 0 ? "Not assigned" : `Assigned ${times(assigned)}`}</Badge>
          </div>
          {role.description ? <p className="mt-1 text-sm text-slate-500">{role.description}</p> : null}
          <p className="mt-1 text-xs text-slate-400">
            Last changed <LocalTime value={role.updatedAt} />
          </p>
        </div>
        {canDelete ? (
          <Button variant="danger" onClick={() => ask({ kind: "delete" })}>
            Delete role
          </Button>
        ) : null}
      </header>

      <section aria-labelledby={definitionId}>
        <Panel className="px-5 py-4">
          <h2 id={definitionId} className="mb-4 text-base font-semibold">
            {role.can.edit ? "Edit role" : "Definition"}
          </h2>
          <RoleEditor key={role.id} mode={role.can.edit ? "edit" : "view"} role={role} permissionOptions={role.permissionOptions} />
        </Panel>
      </section>

      <Section title="Assignments" headingClassName="text-base font-semibold" className="space-y-3">
        <Panel>
          {role.assignments.length === 0 ? (
            <EmptyState title="No assignments you can see">Give this role to someone from the Users page.</EmptyState>
          ) : (
            <DataTable
              caption={`Users holding the role ${role.name}`}
              query={loadedPage(role.assignments)}
              list={holders}
              paged={false}
              what="holders"
              empty={null}
              getRowId={(assignment) => assignment.id}
              columns={[
                {
                  id: "user",
                  header: "User",
                  enableHiding: false,
                  meta: { key: true },
                  cell: ({ row: { original: assignment } }) => <UserCell email={assignment.userEmail} name={assignment.userName} />,
                },
                { id: "domain", header: "Domain", meta: { className: "text-slate-700" }, cell: ({ row }) => scopeLabel(row.original.domainName) },
                {
                  id: "since",
                  header: "Since",
                  meta: { className: "whitespace-nowrap text-slate-600" },
                  cell: ({ row }) => <LocalTime value={row.original.createdAt} />,
                },
                actionColumn<(typeof role.assignments)[number]>({
                  label: "Remove",
                  name: (assignment) => `Remove ${assignment.userEmail} in ${scopeLabel(assignment.domainName)}`,
                  show: (assignment) => assignment.can.unassign,
                  onClick: (assignment) => ask({ kind: "remove", assignment }),
                }),
              ]}
            />
          )}
          {assigned > role.assignments.length ? (
            <p className="border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
              Showing the first {role.assignments.length} of {assigned} assignments, by email.{" "}
              {role.holdersOnUsersPage ? (
                <Link href={`/users?role=${encodeURIComponent(role.id)}`} className="font-medium text-brand-600 hover:underline">
                  See every holder on the Users page
                </Link>
              ) : null}
            </p>
          ) : null}
        </Panel>
      </Section>

      <ConfirmDialog
        open={confirm?.kind === "delete"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          if (assigned > 0 && !reassignTo) {
            setReassignMissing(true);
            return;
          }
          deleteRole.mutate({ id: role.id, ...(reassignTo ? { reassignTo } : {}) });
        }}
        title="Delete role"
        confirmLabel="Delete role"
        pending={deleteRole.isPending}
        error={reassignMissing && !reassignTo ? "Choose the role its users get instead." : deleteRole.error?.message}
        typeToConfirm={role.name}
      >
        <p>
          Delete the role <span className="font-semibold">{role.name}</span>? This cannot be undone.
        </p>
        {assigned > 0 ? (
          <div className="mt-3 space-y-2">
            <p>
              It is assigned {times(assigned)}. Deleting an assigned role is refused unless its users are moved to another
              role: each of them gets the role you choose, in the same domain.
            </p>
            {otherRoles.isPending ? (
              <p role="status" className="text-slate-500">
                Loading roles…
              </p>
            ) : otherRoles.isError ? (
              <p role="alert" className="text-red-700">
                The roles could not be loaded: {otherRoles.error.message}
              </p>
            ) : (
              <SelectField label="Reassign its users to" required value={reassignTo} onChange={(event) => setReassignTo(event.target.value)}>
                <option value="">Choose a role</option>
                {reassignOptions.map((other) => (
                  <option key={other.id} value={other.id}>
                    {other.name}
                  </option>
                ))}
              </SelectField>
            )}
          </div>
        ) : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "remove"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          if (confirm?.kind !== "remove") return;
          const { userId, domainId } = confirm.assignment;
          unassign.mutate({ userId, roleId: role.id, domainId });
        }}
        title="Remove role"
        confirmLabel="Remove role"
        pending={unassign.isPending}
        error={unassign.error?.message}
      >
        {confirm?.kind === "remove" ? (
          <p>
            Remove the role <span className="font-semibold">{role.name}</span> in{" "}
            <span className="font-semibold">{scopeLabel(confirm.assignment.domainName)}</span> from{" "}
            <span className="font-semibold">{confirm.assignment.userEmail}</span>?
          </p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
