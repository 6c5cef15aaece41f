import { useState } from "react";

import { type Column, DataTable } from "@/components/DataTable";
import type { ClientUser } from "@/features/clients/api/get-client-detail";
import { ResetPasswordAction } from "@/features/clients/components/ResetPasswordAction";
import { UserAccessAction } from "@/features/clients/components/UserAccessAction";
import { formatDateTime } from "@/lib/format";

// `wasActive`: the user's access when the action opened. Once the change lands and the list reloads,
// the same button offers the opposite change: a fresh form, not the closing of the finished one.
type Action = { userId: string; kind: "reset" | "access"; wasActive: boolean };

/** The client's users, each with a password reset and an access switch, both behind a confirmation. */
export function ClientUsers({ users }: { users: ClientUser[] }) {
  const [action, setAction] = useState<Action | null>(null);
  const open = (u: ClientUser, kind: Action["kind"]) =>
    action?.userId === u.id && action.kind === kind && (kind === "reset" || action.wasActive === u.is_active);
  const toggle = (u: ClientUser, kind: Action["kind"]) =>
    setAction(open(u, kind) ? null : { userId: u.id, kind, wasActive: u.is_active });
  const columns: Column<ClientUser>[] = [
    { key: "email", header: "Email", render: (u) => <strong>{u.email}</strong> },
    { key: "active", header: "Active", render: (u) => (u.is_active ? "yes" : "no") },
    { key: "login", header: "Last login", align: "right", render: (u) => formatDateTime(u.last_login_at), secondary: true },
    {
      key: "actions",
      header: <span className="visually-hidden">Actions</span>,
      align: "right",
      render: (u) => (
        <div className="button-row">
          <button type="button" className="btn btn-small btn-ghost" aria-expanded={open(u, "reset")} onClick={() => toggle(u, "reset")}>
            Reset password
          </button>
          <button type="button" className="btn btn-small btn-ghost" aria-expanded={open(u, "access")} onClick={() => toggle(u, "access")}>
            {u.is_active ? "Deactivate" : "Reactivate"}
          </button>
        </div>
      ),
    },
  ];
  const target = users.find((u) => u.id === action?.userId);
  return (
    <>
      <DataTable label="Users" columns={columns} rows={users} rowKey={(u) => u.id} isLoading={false} error={null} empty="No users." />
      {target && action ? (
        <div className="panel-body">
          {action.kind === "reset" ? (
            <ResetPasswordAction key={target.id} userId={target.id} email={target.email} />
          ) : (
            <UserAccessAction
              key={`${target.id}-${action.wasActive}`}
              userId={target.id}
              email={target.email}
              isActive={action.wasActive}
            />
          )}
        </div>
      ) : null}
    </>
  );
}
