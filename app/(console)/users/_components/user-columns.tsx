"use client";

import type { MouseEvent } from "react";
import { Avatar } from "../../_components/avatar";
import type { DataColumn } from "../../_components/data-table";
import { ACTIONS_HEADER } from "../../_components/list";
import { Badge, Button, LocalTime, StatusBadge } from "../../_components/ui";
import { mfaMethodsLabel, scopeLabel, type UserListItem } from "./shared";

/**
 * The users table's columns. A row opens the user's drawer, and so does its View button, for
 * keyboard users; "Resend invitation" shows on invited rows the server lets the caller resend to.
 */
export function userColumns({
  onView,
  onResend,
}: {
  onView: (user: UserListItem) => void;
  onResend: (user: UserListItem) => void;
}): Array<DataColumn<UserListItem>> {
  return [
    {
      id: "email",
      header: "Email",
      enableSorting: true,
      enableHiding: false,
      meta: { key: true, className: "font-medium text-slate-900" },
      cell: ({ row }) => (
        <div className="flex items-center gap-3">
          <Avatar email={row.original.email} name={row.original.name} />
          <span className="min-w-0 break-all">{row.original.email}</span>
        </div>
      ),
    },
    { id: "name", header: "Name", enableSorting: true, meta: { className: "text-slate-700" }, cell: ({ row }) => row.original.name },
    {
      id: "roles",
      header: "Roles",
      enableSorting: false,
      cell: ({ row }) =>
        row.original.roles.length === 0 ? (
          <span className="text-slate-500">None visible</span>
        ) : (
          <ul className="flex flex-wrap gap-1">
            {row.original.roles.map((role) => (
              <li key={`${role.roleId}:${role.domainId ?? "global"}`}>
                <Badge tone={role.domainId === null ? "brand" : "slate"}>
                  {role.roleName} · {scopeLabel(role.domainName)}
                </Badge>
              </li>
            ))}
          </ul>
        ),
    },
    {
      id: "status",
      header: "Status",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => (
        <span className="flex flex-wrap gap-1">
          <StatusBadge banned={row.original.banned} />
          {/* Until they set a password through their link. */}
          {row.original.invited ? <Badge tone="amber">Invited</Badge> : null}
        </span>
      ),
    },
    {
      id: "mfa",
      header: "MFA",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => (row.original.mfa.enrolled ? <Badge tone="green">{mfaMethodsLabel(row.original.mfa)}</Badge> : <Badge>None</Badge>),
    },
    {
      id: "lastSignIn",
      header: "Last sign-in",
      enableSorting: true,
      meta: { className: "whitespace-nowrap text-slate-600" },
      cell: ({ row }) => (row.original.lastSignInAt ? <LocalTime value={row.original.lastSignInAt} /> : <span className="text-slate-500">Never</span>),
    },
    {
      id: "createdAt",
      header: "Created",
      enableSorting: true,
      meta: { className: "whitespace-nowrap text-slate-600" },
      cell: ({ row }) => <LocalTime value={row.original.createdAt} />,
    },
    {
      id: "actions",
      header: () => ACTIONS_HEADER,
      enableSorting: false,
      enableHiding: false,
      meta: { className: "text-right whitespace-nowrap" },
      cell: ({ row: { original: user } }) => {
        // Each button acts on its own: the row's click (open the drawer) must not follow.
        const only = (action: (user: UserListItem) => void) => (event: MouseEvent) => {
          event.stopPropagation();
          action(user);
        };
        return (
          <span className="inline-flex gap-1">
            {user.invited && user.can.resendInvitation ? (
              <Button variant="ghost" aria-label={`Resend invitation to ${user.email}`} onClick={only(onResend)}>
                Resend invitation
              </Button>
            ) : null}
            <Button variant="ghost" aria-label={`View ${user.email}`} onClick={only(onView)}>
              View
            </Button>
          </span>
        );
      },
    },
  ];
}
