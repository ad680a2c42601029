/**
 * bench:startup — how long a person waits after typing the start command: a cold start (new process,
 * empty data directory, so the embedded Postgres is created and migrated) until GET /health/ready
 * answers 200. Median of STARTUP_RUNS (5) for `npm start` (the build made once at install time,
 * then `node dist/src/main.js`), against the old `nest start` (compiles on every start) as the
 * baseline of the same run, STARTUP_BASELINE_RUNS (5) times. Writes bench/results/startup.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, intEnv, loadAverage, round, runBench, say, writeResult } from './bench-support.js';

const READY_TIMEOUT_MS = 120_000;

interface Sample {
  readyMs: number;
}

/** Starts `npm run <script>` in its own process group and times it until /health/ready is 200. */
async function coldStart(script: string): Promise<Sample> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mana-startup-'));
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`npm run ${script} exited before it was ready: ${stderr}`);
      if (performance.now() - started > READY_TIMEOUT_MS)
        throw new Error(`npm run ${script} was not ready in time`);
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`)
        .then((res) => res.ok)
        .catch(() => false);
      if (ok) return { readyMs: Math.round(performance.now() - started) };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    if (!exited && child.pid) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGINT');
      const forced = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 15_000);
      await gone;
      clearTimeout(forced);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
};

runBench('startup', async () => {
  const runs = intEnv('STARTUP_RUNS', 5, 1, 50);
  const baselineRuns = intEnv('STARTUP_BASELINE_RUNS', 5, 0, 50);
  const start: number[] = [];
  const baseline: number[] = [];
  // npm start first: `nest start` rebuilds dist/ (deleteOutDir) on each run, which would make the
  // next `npm start` build again; after the baseline, the next `npm start` builds once
  for (let i = 0; i < runs; i += 1) {
    start.push((await coldStart('start')).readyMs);
    say(`npm start   run ${i + 1}: ${start[i]} ms to /health/ready`);
  }
  for (let i = 0; i < baselineRuns; i += 1) {
    baseline.push((await coldStart('start:nest')).readyMs);
    say(`nest start  run ${i + 1}: ${baseline[i]} ms to /health/ready`);
  }
  const result = {
    measured: 'cold start (new process, empty DATA_DIR, embedded Postgres) until GET /health/ready is 200',
    at: new Date().toISOString(),
    node: process.version,
    loadAverage: loadAverage(),
    npmStart: { command: 'npm start', runsMs: start, medianMs: median(start) },
    baseline:
      baseline.length > 0
        ? { command: 'nest start (npm run start:nest)', runsMs: baseline, medianMs: median(baseline) }
        : null,
    ratio: baseline.length > 0 ? round(median(start) / median(baseline), 3) : null,
  };
  writeResult('startup', result);
  say(
    `bench:startup: npm start ready in ${result.npmStart.medianMs} ms (median of ${runs})` +
      (result.baseline
        ? `; nest start ${result.baseline.medianMs} ms (median of ${baselineRuns}); ratio ${result.ratio}`
        : ''),
  );
});
