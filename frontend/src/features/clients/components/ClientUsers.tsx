import { useState } from "react";

import { type Column, DataTable } from "@/components/DataTable";
import type { ClientUser } from "@/features/clients/api/get-client-detail";
import { ResetPasswordAction } from "@/features/clients/components/ResetPasswordAction";
import { formatDateTime } from "@/lib/format";

/** The client's users, each with a password reset behind a confirmation. */
export function ClientUsers({ users }: { users: ClientUser[] }) {
  const [resetting, setResetting] = useState<string | null>(null);
  const columns: Column<ClientUser>[] = [
    { key: "email", header: "Email", render: (u) => <strong>{u.email}</strong> },
    { key: "active", header: "Active", render: (u) => (u.is_active ? "yes" : "no") },
    { key: "login", header: "Last login", align: "right", render: (u) => formatDateTime(u.last_login_at), secondary: true },
    {
      key: "actions",
      header: <span className="visually-hidden">Actions</span>,
      align: "right",
      render: (u) => (
        <button
          type="button"
          className="btn btn-small btn-ghost"
          aria-expanded={resetting === u.id}
          onClick={() => setResetting(resetting === u.id ? null : u.id)}
        >
          Reset password
        </button>
      ),
    },
  ];
  const target = users.find((u) => u.id === resetting);
  return (
    <>
      <DataTable label="Users" columns={columns} rows={users} rowKey={(u) => u.id} isLoading={false} error={null} empty="No users." />
      {target ? (
        <div className="panel-body">
          <ResetPasswordAction key={target.id} userId={target.id} email={target.email} />
        </div>
      ) : null}
    </>
  );
}
