/**
 * The risk editor's logic, free of React: the fields of the parameters document by section, their
 * labels and ranges, the checks made before sending, the partial update, and the server's 422 details
 * mapped back onto the fields.
 */
import type { AgentParameters, FieldRange, ParametersUpdate } from "@/features/agent/api/parameters";
import { formatDecimal } from "@/lib/decimal";

export type FieldKind = "integer" | "decimal" | "boolean" | "list";

export interface FieldSpec {
  /** "risk.max_daily_loss", or "scan_interval_seconds" for a top-level field. */
  path: string;
  section: string;
  name: string;
  label: string;
  kind: FieldKind;
  range: FieldRange | null;
  /** A list field that may be empty meaning "no restriction" (sent as null). */
  nullable: boolean;
}

export interface SectionSpec {
  key: string;
  title: string;
  description: string;
  fields: FieldSpec[];
}

/** The draft: every field as the text (or checkbox) the person edits. */
export type Draft = Record<string, string | boolean>;

const SECTIONS: Record<string, { title: string; description: string }> = {
  risk: { title: "Risk limits", description: "What the risk gate refuses, for every trade, the agent's and yours." },
  sizing: { title: "Sizing", description: "How big one trade and all of them together may be (% of net liquidation)." },
  entry: { title: "Entry rules", description: "Which strategies run and what a short leg and a credit must look like." },
  management: { title: "Management", description: "When the agent takes a trade off." },
  liquidity: { title: "Liquidity", description: "What a listed option must show before the agent trades it." },
  general: { title: "Schedule and watchlist", description: "What the agent scans, how often, and how long a proposal waits." },
};
const ORDER = ["risk", "sizing", "entry", "management", "liquidity", "general"];

const WORDS: Record<string, string> = { pct: "%", dte: "DTE", ttl: "TTL", max: "Max", min: "Min" };

/** "max_daily_loss" → "Max daily loss", "max_risk_per_trade_pct" → "Max risk per trade %". */
export function fieldLabel(name: string): string {
  const words = name.split("_").map((w) => WORDS[w] ?? w);
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A "_pct" field whose range stops at 1 is a fraction (0.10 = 10%), not a percentage: say so. */
function labelFor(name: string, range: FieldRange | undefined): string {
  const label = fieldLabel(name);
  if (!name.endsWith("_pct") || range?.max == null || Number(range.max) > 1) return label;
  return `${label.replace(/ %$/, "")} (fraction)`;
}

function kindOf(value: unknown): FieldKind | null {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "integer";
  if (typeof value === "string") return "decimal";
  if (Array.isArray(value) || value === null) return "list";
  return null;
}

/** The editor's sections and fields, in a sensible reading order, from the document in force. */
export function sectionsOf(parameters: AgentParameters, ranges: Record<string, FieldRange>): SectionSpec[] {
  const grouped = new Map<string, FieldSpec[]>();
  const add = (section: string, name: string, value: unknown, prefix: string) => {
    const kind = kindOf(value);
    if (!kind) return;
    const path = `${prefix}${name}`;
    const fields = grouped.get(section) ?? [];
    fields.push({
      path,
      section,
      name,
      label: labelFor(name, ranges[path]),
      kind,
      range: ranges[path] ?? null,
      nullable: kind === "list" && name === "allowed_underlyings",
    });
    grouped.set(section, fields);
  };
  for (const [key, value] of Object.entries(parameters)) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [name, inner] of Object.entries(value as Record<string, unknown>)) add(key, name, inner, `${key}.`);
    } else {
      add("general", key, value, "");
    }
  }
  return [...grouped.keys()]
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99))
    .map((key) => ({
      key,
      title: SECTIONS[key]?.title ?? fieldLabel(key),
      description: SECTIONS[key]?.description ?? "",
      fields: grouped.get(key)!,
    }));
}

function valueAt(parameters: AgentParameters, path: string): unknown {
  return path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | null)?.[part], parameters);
}

/** The draft for a document: numbers as text, lists comma-separated. */
export function draftOf(parameters: AgentParameters, sections: SectionSpec[]): Draft {
  const draft: Draft = {};
  for (const field of sections.flatMap((s) => s.fields)) {
    const value = valueAt(parameters, field.path);
    if (field.kind === "boolean") draft[field.path] = Boolean(value);
    else if (field.kind === "list") draft[field.path] = Array.isArray(value) ? value.join(", ") : "";
    else draft[field.path] = String(value ?? "");
  }
  return draft;
}

/** "0 – 10,000,000 (unit)" for a range. */
export function rangeText(range: FieldRange | null): string | null {
  if (!range || (range.min == null && range.max == null)) return null;
  const show = (v: string) => formatDecimal(v, { maxFractionDigits: 8 });
  const bounds =
    range.min != null && range.max != null
      ? `${show(range.min)} – ${show(range.max)}`
      : range.min != null
        ? `at least ${show(range.min)}`
        : `at most ${show(range.max!)}`;
  return range.unit ? `${bounds} · ${range.unit}` : bounds;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function compare(a: string, b: string): number {
  // Range checks on decimal text: exact for the magnitudes involved (at most 8 digits each side).
  return Number(a) - Number(b);
}

/** The problem with one field's text, or null. */
export function checkField(field: FieldSpec, value: string | boolean): string | null {
  if (field.kind === "boolean") return null;
  const text = String(value).trim();
  if (field.kind === "list") {
    const items = text ? text.split(",").map((s) => s.trim()) : [];
    if (items.some((s) => !/^[A-Za-z0-9._-]+$/.test(s))) return "Separate entries with commas, e.g. SPY, QQQ.";
    return null;
  }
  if (field.kind === "integer" ? !INTEGER.test(text) : !DECIMAL.test(text)) {
    return field.kind === "integer" ? "Enter a whole number." : "Enter a number, e.g. 1500 or 0.25.";
  }
  const range = field.range;
  const allowed = rangeText(range ? { ...range, unit: null } : null);
  if (range?.min != null && compare(text, range.min) < 0) return `Must be ${allowed}.`;
  if (range?.max != null && compare(text, range.max) > 0) return `Must be ${allowed}.`;
  return null;
}

function parsed(field: FieldSpec, value: string | boolean): unknown {
  if (field.kind === "boolean") return value;
  const text = String(value).trim();
  if (field.kind === "integer") return Number(text);
  if (field.kind === "decimal") return text;
  const items = text ? text.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean) : [];
  if (field.path === "entry.strategies") return text ? text.split(",").map((s) => s.trim()).filter(Boolean) : [];
  return field.nullable && items.length === 0 ? null : items;
}

/** Fields whose draft differs from the saved document. */
export function changedFields(sections: SectionSpec[], saved: Draft, draft: Draft): FieldSpec[] {
  return sections.flatMap((s) => s.fields).filter((f) => String(saved[f.path]).trim() !== String(draft[f.path]).trim());
}

/** Field errors for the changed fields, or the partial update (by section) to send. */
export function buildUpdate(
  sections: SectionSpec[],
  saved: Draft,
  draft: Draft,
  version: number,
): { errors: Record<string, string> } | { update: ParametersUpdate } {
  const errors: Record<string, string> = {};
  const parameters: Record<string, unknown> = {};
  for (const field of changedFields(sections, saved, draft)) {
    const problem = checkField(field, draft[field.path]!);
    if (problem) {
      errors[field.path] = problem;
      continue;
    }
    if (field.section === "general") {
      parameters[field.name] = parsed(field, draft[field.path]!);
    } else {
      const section = (parameters[field.section] ??= {}) as Record<string, unknown>;
      section[field.name] = parsed(field, draft[field.path]!);
    }
  }
  if (Object.keys(errors).length) return { errors };
  return { update: { parameters, expected_version: version } };
}

interface Problem {
  field?: string | null;
  message?: string;
  allowed?: { min?: string; max?: string; unit?: string } | null;
}

/** The 422's details: messages on the fields they name, the rest (rules across fields) apart. */
export function serverProblems(
  details: unknown,
  sections: SectionSpec[],
): { fields: Record<string, string>; general: string[] } {
  const known = new Set(sections.flatMap((s) => s.fields.map((f) => f.path)));
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (!Array.isArray(details)) return { fields, general };
  for (const problem of details as Problem[]) {
    const message = (problem.message ?? "Not allowed").replace(/^Value error, /, "");
    const allowed = problem.allowed ? rangeText({ min: problem.allowed.min, max: problem.allowed.max }) : null;
    const text = allowed ? `${message} (allowed ${allowed})` : message;
    if (problem.field && known.has(problem.field)) fields[problem.field] ??= text;
    else general.push(problem.field ? `${problem.field}: ${text}` : text);
  }
  return { fields, general };
}
