import type { ReactElement } from "react";
import { createBrowserRouter, createMemoryRouter, type RouteObject } from "react-router";

import { AppLayout } from "@/app/layout";
import { AgentRoute } from "@/app/routes/agent";
import { RequireRole } from "@/app/require-role";
import { DashboardRoute } from "@/app/routes/dashboard";
import { HomeRoute } from "@/app/routes/home";
import { LoginRoute } from "@/app/routes/login";
import { NotFoundRoute } from "@/app/routes/not-found";
import { OnboardingRoute } from "@/app/routes/onboarding";
import { OperatorRoute } from "@/app/routes/operator";
import { OperatorAuditRoute } from "@/app/routes/operator-audit";
import { OperatorClientRoute } from "@/app/routes/operator-client";
import { OperatorTradingRoute } from "@/app/routes/operator-trading";
import { PhillipCallbackRoute } from "@/app/routes/phillip-callback";
import { RiskRoute } from "@/app/routes/risk";
import { RouteError } from "@/app/routes/route-error";
import { SettingsRoute } from "@/app/routes/settings";

/** Client-side paths. None may start with an API prefix (/auth, /clients, /admin, /health, ...). */
export const paths = {
  home: "/",
  login: "/login",
  dashboard: "/dashboard",
  agent: "/agent",
  risk: "/risk",
  settings: "/settings",
  onboarding: "/onboarding",
  phillipCallback: "/onboarding/phillip/callback",
  operator: "/operator",
  operatorTrading: "/operator/trading",
  operatorAudit: "/operator/audit",
  operatorClient: "/operator/clients/:clientId",
} as const;

function client(element: ReactElement) {
  return <RequireRole role="client">{element}</RequireRole>;
}

function operator(element: ReactElement) {
  return <RequireRole role="operator">{element}</RequireRole>;
}

export const routes: RouteObject[] = [
  { path: paths.login, element: <LoginRoute />, errorElement: <RouteError /> },
  {
    element: <AppLayout />,
    errorElement: <RouteError />,
    children: [
      { path: paths.home, element: <HomeRoute /> },
      { path: paths.dashboard, element: client(<DashboardRoute />) },
      { path: paths.agent, element: client(<AgentRoute />) },
      { path: paths.risk, element: client(<RiskRoute />) },
      { path: paths.settings, element: client(<SettingsRoute />) },
      { path: paths.onboarding, element: client(<OnboardingRoute />) },
      { path: paths.phillipCallback, element: client(<PhillipCallbackRoute />) },
      { path: paths.operator, element: operator(<OperatorRoute />) },
      { path: paths.operatorTrading, element: operator(<OperatorTradingRoute />) },
      { path: paths.operatorAudit, element: operator(<OperatorAuditRoute />) },
      { path: paths.operatorClient, element: operator(<OperatorClientRoute />) },
      { path: "*", element: <NotFoundRoute /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}

export function createTestRouter(initialEntries: string[]) {
  return createMemoryRouter(routes, { initialEntries });
}
