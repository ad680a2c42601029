import { readFileSync, writeFileSync } from 'node:fs';
import junitModule from 'junit-report-builder';
import type { Builder as JUnitBuilder } from 'junit-report-builder';
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { CheckFinding, CheckRunResult } from './check-run.js';

// a CommonJS package: Node hands its module.exports (the builder) to a default import, while its
// types describe an ES module whose default is the builder; either way, the builder
const junit = ((junitModule as { default?: JUnitBuilder }).default ?? junitModule) as unknown as JUnitBuilder;

/** A finding as a baseline keeps it: enough to recognise it in a later run. */
export interface BaselineEntry {
  fingerprint: string;
  tool: string;
  class: string;
  check: string;
}

export interface Baseline {
  version: 1;
  findings: BaselineEntry[];
}

/** The run's findings set against a baseline of accepted ones. */
export interface CheckVerdict {
  /** Findings not in the baseline: they fail the run. */
  fresh: CheckFinding[];
  /** Findings the baseline accepts. */
  accepted: CheckFinding[];
  /** Baseline entries this run did not see (fixed, or not reached): they fail the run with --strict. */
  stale: BaselineEntry[];
}

export class BaselineFileError extends Error {}

export function readBaseline(path: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BaselineFileError(`cannot read the baseline ${path}: ${(error as Error).message}`);
  }
  const findings = (data as { findings?: unknown })?.findings;
  if (
    (data as { version?: unknown })?.version !== 1 ||
    !Array.isArray(findings) ||
    !findings.every((f) => typeof (f as BaselineEntry)?.fingerprint === 'string')
  ) {
    throw new BaselineFileError(
      `the baseline ${path} is not a baseline file: { "version": 1, "findings": [{ "fingerprint": … }] } (write one with --update-baseline)`,
    );
  }
  return data as Baseline;
}

export function baselineOf(findings: readonly CheckFinding[]): Baseline {
  return {
    version: 1,
    findings: findings.map(({ fingerprint, tool, class: cls, check }) => ({
      fingerprint,
      tool,
      class: cls,
      check,
    })),
  };
}

/** The findings of k runs: each with the runs it was seen in; seen in fewer than k, it is flaky. */
export function mergeRuns(runs: CheckRunResult[]): { result: CheckRunResult; flaky: Set<string> } {
  const first = runs[0];
  const byPrint = new Map<string, { finding: CheckFinding; runs: number }>();
  for (const run of runs) {
    for (const f of run.findings) {
      const seen = byPrint.get(f.fingerprint);
      if (!seen) byPrint.set(f.fingerprint, { finding: { ...f, personas: [...f.personas] }, runs: 1 });
      else {
        seen.runs += 1;
        seen.finding.count += f.count;
        for (const p of f.personas) if (!seen.finding.personas.includes(p)) seen.finding.personas.push(p);
      }
    }
  }
  const flaky = new Set([...byPrint].filter(([, v]) => v.runs < runs.length).map(([k]) => k));
  const sum = (pick: (r: CheckRunResult) => number) => runs.reduce((s, r) => s + pick(r), 0);
  return {
    result: {
      ...first,
      seed: runs.map((r) => r.seed).join(', '),
      ticks: sum((r) => r.ticks),
      failedTicks: sum((r) => r.failedTicks),
      toolCalls: sum((r) => r.toolCalls),
      tickErrors: runs.flatMap((r) => r.tickErrors).slice(0, 10),
      tools: first.tools.map((t) => ({
        ...t,
        calls: sum((r) => r.tools.find((u) => u.name === t.name)?.calls ?? 0),
        probes: sum((r) => r.tools.find((u) => u.name === t.name)?.probes ?? 0),
      })),
      findings: [...byPrint.values()]
        .map((v) => v.finding)
        .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)),
      seconds: Math.round(sum((r) => r.seconds) * 10) / 10,
    },
    flaky,
  };
}

export function judge(findings: readonly CheckFinding[], baseline: Baseline | undefined): CheckVerdict {
  const known = new Set((baseline?.findings ?? []).map((f) => f.fingerprint));
  const seen = new Set(findings.map((f) => f.fingerprint));
  return {
    fresh: findings.filter((f) => !known.has(f.fingerprint)),
    accepted: findings.filter((f) => known.has(f.fingerprint)),
    stale: (baseline?.findings ?? []).filter((f) => !seen.has(f.fingerprint)),
  };
}

/** The findings report (`--json`): the run, and each finding marked new or accepted. */
export function jsonReport(result: CheckRunResult, verdict: CheckVerdict, exitCode: number): string {
  const fresh = new Set(verdict.fresh.map((f) => f.fingerprint));
  return `${JSON.stringify(
    {
      ...result,
      findings: result.findings.map((f) => ({ ...f, status: fresh.has(f.fingerprint) ? 'new' : 'accepted' })),
      stale: verdict.stale,
      exitCode,
    },
    null,
    2,
  )}\n`;
}

/**
 * JUnit XML (`--junit`): one testsuite per tool the target lists, one testcase per check that
 * failed (a failure with the evidence: expected, got, which personas, how often; accepted ones are
 * skipped), and one passing testcase for a tool with no finding.
 */
export function junitReport(result: CheckRunResult, verdict: CheckVerdict): string {
  const builder = junit.newBuilder().name(`mana-personas check: ${result.target}`);
  const accepted = new Set(verdict.accepted.map((f) => f.fingerprint));
  const tools = new Set([...result.tools.map((t) => t.name), ...result.findings.map((f) => f.tool)]);
  const skipped = new Map(result.skipped.map((s) => [s.name, s.why]));
  for (const name of skipped.keys()) tools.add(name);
  for (const tool of [...tools].sort()) {
    const suite = builder.testSuite().name(tool);
    const why = skipped.get(tool);
    if (why !== undefined) {
      // listed by the server, but the personas cannot call it: not a pass
      suite
        .testCase()
        .className(tool)
        .name(`${tool}: not played`)
        .skipped()
        .standardOutput(`${why} (a client capability the personas do not offer)`);
      continue;
    }
    const use = result.tools.find((t) => t.name === tool);
    const findings = result.findings.filter((f) => f.tool === tool);
    if (findings.length === 0) {
      const calls = use ? `${use.calls} persona calls, ${use.probes} engine probes` : 'not called';
      suite.testCase().className(tool).name(`${tool}: no finding (${calls})`);
      continue;
    }
    for (const f of findings) {
      const test = suite.testCase().className(tool).name(`${f.check} (${f.class})`);
      if (accepted.has(f.fingerprint)) test.skipped().standardOutput('accepted by the baseline');
      else test.failure(`expected ${f.expected}; got ${f.got}`, f.class).stacktrace(evidence(f));
    }
  }
  return builder.build();
}

/**
 * SARIF 2.1.0 (`--sarif`): one rule per check, one result per finding group, located at the tool
 * (a logical location: an MCP server has no source file to point at), new ones `error`, accepted
 * ones `note` with baselineState `unchanged`.
 */
export function sarifReport(result: CheckRunResult, verdict: CheckVerdict, version: string): string {
  const log = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: 'mana-personas',
    toolDriverVersion: version,
  });
  for (const check of [...new Set(result.findings.map((f) => f.check))].sort()) {
    run.addRule(
      new SarifRuleBuilder().initSimple({
        ruleId: check,
        shortDescriptionText: `A promise of the tool checked by ${check} did not hold`,
      }),
    );
  }
  const fresh = new Set(verdict.fresh.map((f) => f.fingerprint));
  for (const f of result.findings) {
    const isNew = fresh.has(f.fingerprint);
    const entry = new SarifResultBuilder().initSimple({
      level: isNew ? 'error' : 'note',
      ruleId: f.check,
      messageText: `${f.tool} (${f.class}): expected ${f.expected}; got ${f.got}`,
    });
    entry.result.locations = [
      {
        logicalLocations: [
          { name: f.tool, kind: 'function', fullyQualifiedName: `${result.target}#${f.tool}` },
        ],
      },
    ];
    entry.result.partialFingerprints = { 'manaFinding/v1': f.fingerprint };
    entry.result.baselineState = isNew ? 'new' : 'unchanged';
    entry.result.properties = { class: f.class, count: f.count, personas: f.personas };
    run.addResult(entry);
  }
  log.addRun(run);
  return log.buildSarifJsonString({ indent: true });
}

function evidence(f: CheckFinding): string {
  return [
    `tool: ${f.tool}`,
    `check: ${f.check} (${f.class})`,
    `expected: ${f.expected}`,
    `got: ${f.got}`,
    `seen ${f.count} time(s) by ${f.personas.join(', ')}`,
  ].join('\n');
}

export function writeReport(path: string, text: string): void {
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}
