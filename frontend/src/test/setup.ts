import "@testing-library/jest-dom/vitest";

import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

import { setSession, takeEndReason } from "@/lib/session";

afterEach(() => {
  cleanup();
  setSession(null);
  takeEndReason();
  localStorage.clear();
});
