import { fileURLToPath, URL } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development the API runs beside Vite (`greekdesk run`, port 8000): proxy its paths so the
// app talks to one origin, exactly as it does when the backend serves the built files.
const API_PATHS = ["/auth", "/clients", "/admin", "/health", "/market", "/docs", "/openapi.json"];
const apiTarget = process.env.GREEKDESK_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, { target: apiTarget, ws: true }])),
  },
  build: {
    outDir: "dist",
    sourcemap: false,
  },
});
