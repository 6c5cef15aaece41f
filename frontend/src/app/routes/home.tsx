import { Navigate } from "react-router";

import { homePathFor } from "@/app/home-path";
import { useSession } from "@/lib/use-session";

export function HomeRoute() {
  return <Navigate to={homePathFor(useSession())} replace />;
}
