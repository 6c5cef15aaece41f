import { type FormEvent, useState } from "react";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Panel } from "@/components/Panel";
import { type CalculatorRequest, useOptionCalculator } from "@/features/agent/api/option-calculator";
import { formatGreek } from "@/lib/format";

type SolveFor = "price" | "volatility";

interface Inputs {
  right: "C" | "P";
  spot: string;
  strike: string;
  days: string;
  ratePct: string;
  dividendPct: string;
  volatilityPct: string;
  price: string;
}

const INITIAL: Inputs = {
  right: "C",
  spot: "",
  strike: "",
  days: "30",
  ratePct: "5",
  dividendPct: "0",
  volatilityPct: "20",
  price: "",
};

const NUMBER = /^\d+(\.\d+)?$/;

/** The request, or the problems by field (checked before sending, as the server would). */
export function calculatorRequest(
  inputs: Inputs,
  solveFor: SolveFor,
): { request: CalculatorRequest } | { errors: Partial<Record<keyof Inputs, string>> } {
  const errors: Partial<Record<keyof Inputs, string>> = {};
  const positive = (key: keyof Inputs, what: string) => {
    const value = inputs[key].trim();
    if (!NUMBER.test(value) || Number(value) <= 0) errors[key] = `Enter ${what} above zero.`;
  };
  positive("spot", "the underlying price");
  positive("strike", "the strike");
  positive("days", "the days to expiry");
  if (!/^-?\d+(\.\d+)?$/.test(inputs.ratePct.trim())) errors.ratePct = "Enter the rate in %, e.g. 5.";
  if (!NUMBER.test(inputs.dividendPct.trim())) errors.dividendPct = "Enter the yield in %, e.g. 1.5 (0 for none).";
  if (solveFor === "price") positive("volatilityPct", "a volatility in %");
  else positive("price", "the option price");
  if (Object.keys(errors).length) return { errors };
  // Model inputs, never booked: plain numbers are precise enough.
  const request: CalculatorRequest = {
    right: inputs.right,
    spot: inputs.spot.trim(),
    strike: inputs.strike.trim(),
    years: Number(inputs.days) / 365,
    rate: Number(inputs.ratePct) / 100,
    dividend_yield: Number(inputs.dividendPct) / 100,
    ...(solveFor === "price"
      ? { volatility: Number(inputs.volatilityPct) / 100 }
      : { price: inputs.price.trim() }),
  };
  return { request };
}

/** Black-Scholes-Merton: a fair price from a volatility, or the volatility a market price implies. */
export function OptionCalculatorForm() {
  const calculator = useOptionCalculator();
  const [inputs, setInputs] = useState<Inputs>(INITIAL);
  const [solveFor, setSolveFor] = useState<SolveFor>("price");
  const [errors, setErrors] = useState<Partial<Record<keyof Inputs, string>>>({});
  const result = calculator.data;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const checked = calculatorRequest(inputs, solveFor);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    calculator.mutate(checked.request);
  }

  function field(key: keyof Inputs, label: string, hint?: string) {
    const id = `calc-${key}`;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          inputMode="decimal"
          value={inputs[key]}
          aria-invalid={errors[key] ? true : undefined}
          aria-describedby={errors[key] ? `${id}-error` : undefined}
          onChange={(e) => setInputs({ ...inputs, [key]: e.target.value })}
        />
        {errors[key] ? (
          <p className="field-error" id={`${id}-error`}>
            {errors[key]}
          </p>
        ) : hint ? (
          <p className="field-hint">{hint}</p>
        ) : null}
      </div>
    );
  }

  return (
    <Panel id="option-calculator" title="Option calculator">
      <form className="panel-body stack" aria-label="Option calculator" onSubmit={onSubmit} noValidate>
        <div className="field-grid">
          <div className="field">
            <label htmlFor="calc-right">Type</label>
            <select
              id="calc-right"
              value={inputs.right}
              onChange={(e) => setInputs({ ...inputs, right: e.target.value === "P" ? "P" : "C" })}
            >
              <option value="C">Call</option>
              <option value="P">Put</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="calc-solve">Solve for</label>
            <select id="calc-solve" value={solveFor} onChange={(e) => setSolveFor(e.target.value as SolveFor)}>
              <option value="price">Price (from a volatility)</option>
              <option value="volatility">Implied volatility (from a price)</option>
            </select>
          </div>
          {field("spot", "Underlying price")}
          {field("strike", "Strike")}
          {field("days", "Days to expiry", "Calendar days")}
          {field("ratePct", "Rate %", "Risk-free, continuously compounded")}
          {field("dividendPct", "Dividend yield %")}
          {solveFor === "price"
            ? field("volatilityPct", "Volatility %", "Annualised")
            : field("price", "Option price", "Per share")}
        </div>
        {calculator.error ? <ErrorNotice error={calculator.error} title="Could not calculate" compact /> : null}
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={calculator.isPending}>
            {calculator.isPending ? "Calculating…" : "Calculate"}
          </button>
        </div>
        {result ? (
          <dl className="figures" aria-label="Calculator result" role="status">
            <div className="figure">
              <dt>Price</dt>
              <dd>{formatGreek(result.price, 4)}</dd>
            </div>
            <div className="figure">
              <dt>{result.solved_for === "volatility" ? "Implied vol" : "Volatility"}</dt>
              <dd>{formatGreek(result.volatility * 100, 2)}%</dd>
            </div>
            <div className="figure">
              <dt>Delta</dt>
              <dd>{formatGreek(result.greeks.delta, 4)}</dd>
            </div>
            <div className="figure">
              <dt>Gamma</dt>
              <dd>{formatGreek(result.greeks.gamma, 4)}</dd>
            </div>
            <div className="figure">
              <dt>Vega</dt>
              <dd>{formatGreek(result.greeks.vega, 4)}</dd>
            </div>
            <div className="figure">
              <dt>Theta /day</dt>
              <dd>{formatGreek(result.greeks.theta, 4)}</dd>
            </div>
            <div className="figure">
              <dt>Rho</dt>
              <dd>{formatGreek(result.greeks.rho, 4)}</dd>
            </div>
          </dl>
        ) : null}
      </form>
    </Panel>
  );
}
