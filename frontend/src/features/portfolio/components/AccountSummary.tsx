import type { ReactNode } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Pnl } from "@/components/Num";
import { Panel } from "@/components/Panel";
import { type AccountSummary as Account, usePortfolio } from "@/features/portfolio/api/get-portfolio";
import { formatMoney } from "@/lib/decimal";
import { formatDateTime, formatGreek } from "@/lib/format";

interface AccountSummaryProps {
  clientId: string;
  /** The broker's balances (from the broker status); null when it reports none. */
  account: Account | null | undefined;
  accountLoading: boolean;
}

function Figure({ label, children, title }: { label: string; children: ReactNode; title?: string }) {
  return (
    <div className="figure" title={title}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const loading = <span className="skeleton" aria-hidden="true" />;

/** Balances from the broker and the book's totals: P&L and portfolio greeks. */
export function AccountSummary({ clientId, account, accountLoading }: AccountSummaryProps) {
  const query = usePortfolio(clientId);
  const book = query.data;
  const money = (value: string | undefined) => (account ? formatMoney(value) : accountLoading ? loading : "—");
  const fromBook = (render: (b: NonNullable<typeof book>) => ReactNode) => (book ? render(book) : query.isPending ? loading : "—");

  return (
    <Panel
      id="account"
      title="Account"
      updatedAt={query.dataUpdatedAt}
      isFetching={query.isFetching}
      onRefresh={() => void query.refetch()}
      actions={account ? <span className="muted small">{account.currency} · {account.account_id}</span> : null}
    >
      {query.error && !book ? (
        <ErrorNotice error={query.error} title="Could not load the portfolio" onRetry={() => void query.refetch()} compact />
      ) : null}
      <dl className="figures" aria-label="Account summary">
        <Figure label="Net liquidation">{money(account?.net_liquidation)}</Figure>
        <Figure label="Cash">{money(account?.cash)}</Figure>
        <Figure label="Buying power">{money(account?.buying_power)}</Figure>
        <Figure label="Margin used">{money(account?.margin_requirement)}</Figure>
        <Figure label="Market value">{fromBook((b) => formatMoney(b.market_value))}</Figure>
        <Figure label="Unrealised P&L">{fromBook((b) => <Pnl value={b.unrealized_pnl} />)}</Figure>
        <Figure label="Realised P&L" title="Total realised since the positions opened">
          {fromBook((b) => <Pnl value={b.realized_pnl} />)}
        </Figure>
        <Figure label="Delta" title="Shares of underlying">{fromBook((b) => formatGreek(b.delta))}</Figure>
        <Figure label="Gamma">{fromBook((b) => formatGreek(b.gamma, 4))}</Figure>
        <Figure label="Theta" title="Per calendar day">{fromBook((b) => formatGreek(b.theta))}</Figure>
        <Figure label="Vega" title="Per volatility point">{fromBook((b) => formatGreek(b.vega))}</Figure>
      </dl>
      <p className="figures-note muted small">
        {book && book.valued < book.positions
          ? `${book.positions - book.valued} of ${book.positions} positions have no quote and are left out of the totals. `
          : ""}
        {account ? `Balances as of ${formatDateTime(account.ts)}.` : "The broker reports no balances while it is not connected."}
      </p>
    </Panel>
  );
}
