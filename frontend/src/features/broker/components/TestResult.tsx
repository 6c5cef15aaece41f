import type { BrokerTestResult } from "@/features/broker/api/get-broker";
import { formatMoney } from "@/lib/decimal";

/** What a trial connection found: the account it reached, or why it failed. */
export function TestResult({ result }: { result: BrokerTestResult }) {
  if (!result.ok) {
    return (
      <div className="notice notice-error" role="alert">
        <span>
          <strong>Connection failed</strong> ({result.state.replace(/_/g, " ")}){result.error ? `: ${result.error}` : "."}
        </span>
      </div>
    );
  }
  const account = result.account;
  return (
    <p className="notice notice-success" role="status">
      <strong>Connection works.</strong>{" "}
      {account
        ? `Account ${account.account_id}, net liquidation ${formatMoney(account.net_liquidation)} ${account.currency}.`
        : "The broker did not report an account."}{" "}
      Nothing is saved until you save.
    </p>
  );
}
