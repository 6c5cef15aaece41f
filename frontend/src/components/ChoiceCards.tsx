import { type KeyboardEvent, type ReactNode, useId, useRef } from "react";

export interface Choice<V extends string> {
  value: V;
  title: string;
  /** One plain sentence on what choosing this means. */
  description: ReactNode;
  disabled?: boolean;
  /** Why it is disabled, shown instead of the description's tail. */
  note?: ReactNode;
}

interface ChoiceCardsProps<V extends string> {
  legend: string;
  choices: Choice<V>[];
  value: V | null;
  onChange: (value: V) => void;
}

/** A radio group drawn as cards: arrow keys move between them, each says what it means. */
export function ChoiceCards<V extends string>({ legend, choices, value, onChange }: ChoiceCardsProps<V>) {
  const name = useId();
  const refs = useRef<(HTMLInputElement | null)[]>([]);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    // Native radios already move with arrows; Home/End make a long group quick to cross.
    if (event.key !== "Home" && event.key !== "End") return;
    event.preventDefault();
    const enabled = choices.map((c, i) => (c.disabled ? -1 : i)).filter((i) => i >= 0);
    const target = event.key === "Home" ? enabled[0] : enabled.at(-1);
    if (target === undefined) return;
    refs.current[target]?.focus();
    onChange(choices[target]!.value);
  }

  return (
    <fieldset className="choices">
      <legend>{legend}</legend>
      {choices.map((choice, i) => {
        const id = `${name}-${choice.value}`;
        return (
          <label
            key={choice.value}
            htmlFor={id}
            className={`choice${value === choice.value ? " choice-selected" : ""}${choice.disabled ? " choice-disabled" : ""}`}
          >
            <input
              ref={(el) => {
                refs.current[i] = el;
              }}
              id={id}
              type="radio"
              name={name}
              value={choice.value}
              checked={value === choice.value}
              disabled={choice.disabled}
              onChange={() => onChange(choice.value)}
              onKeyDown={onKeyDown}
              aria-describedby={`${id}-text`}
            />
            <span className="choice-body">
              <span className="choice-title">{choice.title}</span>
              <span className="choice-text" id={`${id}-text`}>
                {choice.description}
                {choice.note ? <span className="choice-note"> {choice.note}</span> : null}
              </span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
