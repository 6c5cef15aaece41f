import { type FormEvent, useRef, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { StatusBadge } from "@/components/StatusBadge";
import { useEnterTrade } from "@/features/trades/api/change-trade";
import { DenialReasons } from "@/features/trades/components/DenialReasons";
import {
  checkTicket,
  EMPTY_TICKET,
  type LegValues,
  MAX_LEGS,
  newLeg,
  ticketBody,
  type TicketValues,
} from "@/features/trades/components/ticket";

function newKey(): string {
  return crypto.randomUUID();
}

/** A ticket: legs on one underlying, quantity and price rule; shows every gate denial reason. */
export function TradeTicketForm({ clientId }: { clientId: string }) {
  const enter = useEnterTrade(clientId);
  const [values, setValues] = useState<TicketValues>(EMPTY_TICKET);
  const [errors, setErrors] = useState<Record<string, string>>({});
  // One key per ticket as filled in: a double click or a retry after a timeout sends it once.
  const key = useRef(newKey());

  function change(next: Partial<TicketValues>) {
    setValues((v) => ({ ...v, ...next }));
    key.current = newKey();
    if (enter.isError || enter.isSuccess) enter.reset();
  }

  function changeLeg(index: number, next: Partial<LegValues>) {
    change({ legs: values.legs.map((leg, i) => (i === index ? { ...leg, ...next } : leg)) });
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith(`legs.${index}.`))));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (enter.isPending) return;
    const found = checkTicket(values);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) {
      document.getElementById(`ticket-${first.replace(/\./g, "-")}`)?.focus();
      return;
    }
    enter.mutate({ ticket: ticketBody(values), idempotencyKey: key.current });
  }

  function error(name: string) {
    const text = errors[name];
    return text ? (
      <p className="field-error" id={`ticket-${name.replace(/\./g, "-")}-error`}>
        {text}
      </p>
    ) : null;
  }

  function invalid(name: string) {
    return errors[name]
      ? { "aria-invalid": true as const, "aria-describedby": `ticket-${name.replace(/\./g, "-")}-error` }
      : {};
  }

  const result = enter.data;
  return (
    <Panel id="ticket" title="Trade ticket">
      <form className="panel-body stack" onSubmit={submit} noValidate aria-label="Trade ticket">
        <div className="field-grid">
          <div className="field">
            <label htmlFor="ticket-symbol">Underlying</label>
            <input
              id="ticket-symbol"
              value={values.symbol}
              autoComplete="off"
              spellCheck={false}
              placeholder="SPY"
              onChange={(e) => change({ symbol: e.target.value.toUpperCase() })}
              {...invalid("symbol")}
            />
            {error("symbol")}
          </div>
          <div className="field">
            <label htmlFor="ticket-quantity">Quantity</label>
            <input
              id="ticket-quantity"
              inputMode="numeric"
              value={values.quantity}
              onChange={(e) => change({ quantity: e.target.value })}
              {...invalid("quantity")}
            />
            {error("quantity")}
          </div>
          <div className="field">
            <label htmlFor="ticket-orderType">Order type</label>
            <select
              id="ticket-orderType"
              value={values.orderType}
              onChange={(e) => change({ orderType: e.target.value as TicketValues["orderType"] })}
            >
              <option value="limit">Limit</option>
              <option value="market">Market</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="ticket-limitPrice">Net limit price</label>
            <input
              id="ticket-limitPrice"
              inputMode="decimal"
              value={values.limitPrice}
              disabled={values.orderType !== "limit"}
              placeholder="+ debit / - credit"
              onChange={(e) => change({ limitPrice: e.target.value })}
              {...invalid("limitPrice")}
            />
            {error("limitPrice")}
          </div>
          <div className="field">
            <label htmlFor="ticket-tif">Time in force</label>
            <select
              id="ticket-tif"
              value={values.timeInForce}
              onChange={(e) => change({ timeInForce: e.target.value as TicketValues["timeInForce"] })}
            >
              <option value="DAY">Day</option>
              <option value="GTC">Good till cancelled</option>
            </select>
          </div>
        </div>

        <fieldset className="legs-editor">
          <legend>Legs</legend>
          {values.legs.map((leg, i) => (
            <div className="leg-row" key={i} role="group" aria-label={`Leg ${i + 1}`}>
              <select aria-label={`Leg ${i + 1} side`} value={leg.side} onChange={(e) => changeLeg(i, { side: e.target.value as LegValues["side"] })}>
                <option value="buy">Buy</option>
                <option value="sell">Sell</option>
              </select>
              <input
                aria-label={`Leg ${i + 1} ratio`}
                id={`ticket-legs-${i}-ratio`}
                className="narrow"
                inputMode="numeric"
                value={leg.ratio}
                onChange={(e) => changeLeg(i, { ratio: e.target.value })}
                {...invalid(`legs.${i}.ratio`)}
              />
              <select
                aria-label={`Leg ${i + 1} type`}
                value={leg.secType}
                onChange={(e) => changeLeg(i, { secType: e.target.value as LegValues["secType"] })}
              >
                <option value="option">Option</option>
                <option value="stock">Stock</option>
              </select>
              {leg.secType === "option" ? (
                <>
                  <input
                    type="date"
                    aria-label={`Leg ${i + 1} expiry`}
                    id={`ticket-legs-${i}-expiry`}
                    value={leg.expiry}
                    onChange={(e) => changeLeg(i, { expiry: e.target.value })}
                    {...invalid(`legs.${i}.expiry`)}
                  />
                  <input
                    aria-label={`Leg ${i + 1} strike`}
                    id={`ticket-legs-${i}-strike`}
                    className="narrow"
                    inputMode="decimal"
                    placeholder="Strike"
                    value={leg.strike}
                    onChange={(e) => changeLeg(i, { strike: e.target.value })}
                    {...invalid(`legs.${i}.strike`)}
                  />
                  <select aria-label={`Leg ${i + 1} right`} value={leg.right} onChange={(e) => changeLeg(i, { right: e.target.value as LegValues["right"] })}>
                    <option value="C">Call</option>
                    <option value="P">Put</option>
                  </select>
                </>
              ) : null}
              {values.legs.length > 1 ? (
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  aria-label={`Remove leg ${i + 1}`}
                  onClick={() => change({ legs: values.legs.filter((_, j) => j !== i) })}
                >
                  ✕
                </button>
              ) : null}
              {error(`legs.${i}.ratio`)}
              {error(`legs.${i}.expiry`)}
              {error(`legs.${i}.strike`)}
            </div>
          ))}
          <button
            type="button"
            className="btn btn-small"
            disabled={values.legs.length >= MAX_LEGS}
            onClick={() => change({ legs: [...values.legs, newLeg("sell")] })}
          >
            Add leg
          </button>
        </fieldset>

        {enter.error ? <ErrorNotice error={enter.error} title="The ticket was not accepted" /> : null}
        {result && result.status === "denied" ? (
          <div className="notice notice-error notice-block" role="alert">
            <strong>Denied by the risk gate.</strong> Every reason:
            <DenialReasons reasons={result.denial_reasons} />
          </div>
        ) : result ? (
          <p className="notice notice-success" role="status">
            Trade entered: <StatusBadge status={result.status} /> ({result.underlying}, {result.legs.length} leg
            {result.legs.length === 1 ? "" : "s"}).
          </p>
        ) : null}

        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={enter.isPending}>
            {enter.isPending ? "Sending…" : "Send to the gate"}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              setValues(EMPTY_TICKET);
              setErrors({});
              key.current = newKey();
              enter.reset();
            }}
          >
            Clear
          </button>
        </div>
      </form>
    </Panel>
  );
}
