/** The Black-Scholes-Merton calculator: a price from a volatility, or the volatility a price implies. */
import { useMutation } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type CalculatorRequest = components["schemas"]["OptionCalculatorRequest"];
export type CalculatorResult = components["schemas"]["OptionCalculatorResult"];

export async function calculateOption(request: CalculatorRequest): Promise<CalculatorResult> {
  return unwrap(await api.POST("/market/option-calculator", { body: request }));
}

export function useOptionCalculator() {
  return useMutation({ mutationFn: calculateOption });
}
