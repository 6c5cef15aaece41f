/**
 * Start the real backend in its embedded shape (SQLite in a scratch DATA_DIR, the built UI at `/`)
 * on a free port, wait until it answers, and hand its address and demo logins to the tests.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..", "..");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, exited: () => string | null) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const died = exited();
    if (died) throw new Error(`the backend stopped before ${what}: ${died}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export default async function globalSetup() {
  if (!existsSync(join(repo, "frontend", "dist", "index.html"))) {
    throw new Error("frontend/dist is not built: run `npm run build` in frontend/ first");
  }
  const greekdesk = process.env.GREEKDESK_BIN ?? join(repo, ".venv", "bin", "greekdesk");
  const dataDir = mkdtempSync(join(tmpdir(), "greekdesk-e2e-"));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  let exit: string | null = null;

  const server = spawn(greekdesk, ["run", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: dataDir, // no stray .env is read
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dataDir,
      APP_ENV: "development",
      DATA_DIR: dataDir,
      LOG_JSON: "false",
      LOG_LEVEL: "WARNING",
      // The OWASP minimum Argon2 cost keeps logins quick on a small CI machine.
      PASSWORD_HASH_TIME_COST: "2",
      PASSWORD_HASH_MEMORY_KIB: "19456",
      PASSWORD_HASH_PARALLELISM: "1",
      // Prices step once a minute, so a proposal priced at the market is still marketable when a test
      // approves it a few seconds later (the agent's e2e retries if a step lands in between).
      SIMULATOR_STEP_SECONDS: "60",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (chunk) => (output += chunk));
  server.stderr.on("data", (chunk) => (output += chunk));
  server.on("exit", (code, signal) => (exit = `exit ${code ?? signal}\n${output}`));

  const credentials = join(dataDir, "first-run-credentials.txt");
  try {
    await waitFor(
      async () => (await fetch(`${baseUrl}/health`)).ok,
      "GET /health to answer",
      90_000,
      () => exit,
    );
    await waitFor(async () => existsSync(credentials), "the first-run credentials", 10_000, () => exit);
  } catch (error) {
    server.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n--- backend output ---\n${output}`);
  }

  process.env.E2E_BASE_URL = baseUrl;
  process.env.E2E_CREDENTIALS = readFileSync(credentials, "utf-8");

  return async () => {
    // The backend's log is an artifact beside the screenshots: a failed run can be read afterwards.
    mkdirSync(join(repo, "frontend", "test-results"), { recursive: true });
    writeFileSync(join(repo, "frontend", "test-results", "backend.log"), output);
    server.kill("SIGTERM");
    await new Promise<void>((done) => {
      if (exit !== null) return done();
      const timer = setTimeout(() => {
        server.kill("SIGKILL");
        done();
      }, 5_000);
      server.once("exit", () => {
        clearTimeout(timer);
        done();
      });
    });
    rmSync(dataDir, { recursive: true, force: true });
  };
}
