import { createBrowserRouter, createMemoryRouter, type RouteObject } from "react-router";

import { AppLayout } from "@/app/layout";
import { RequireRole } from "@/app/require-role";
import { DashboardRoute } from "@/app/routes/dashboard";
import { HomeRoute } from "@/app/routes/home";
import { LoginRoute } from "@/app/routes/login";
import { NotFoundRoute } from "@/app/routes/not-found";
import { OperatorRoute } from "@/app/routes/operator";
import { RouteError } from "@/app/routes/route-error";

/** Client-side paths. None may start with an API prefix (/auth, /clients, /admin, /health, ...). */
export const paths = {
  home: "/",
  login: "/login",
  dashboard: "/dashboard",
  operator: "/operator",
} as const;

export const routes: RouteObject[] = [
  { path: paths.login, element: <LoginRoute />, errorElement: <RouteError /> },
  {
    element: <AppLayout />,
    errorElement: <RouteError />,
    children: [
      { path: paths.home, element: <HomeRoute /> },
      {
        path: paths.dashboard,
        element: (
          <RequireRole role="client">
            <DashboardRoute />
          </RequireRole>
        ),
      },
      {
        path: paths.operator,
        element: (
          <RequireRole role="operator">
            <OperatorRoute />
          </RequireRole>
        ),
      },
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
