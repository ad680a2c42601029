/**
 * Call latencies per tool, shared across the ticks of this process: the baseline of the relative
 * slowness check. Keeps the newest 200 samples of each tool.
 */
export class LatencyHistory {
  private readonly byTool = new Map<string, number[]>();

  constructor(private readonly keep = 200) {}

  record(tool: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const samples = this.byTool.get(tool) ?? [];
    samples.push(ms);
    if (samples.length > this.keep) samples.shift();
    this.byTool.set(tool, samples);
  }

  median(tool: string): number | null {
    const samples = this.byTool.get(tool);
    if (!samples || samples.length === 0) return null;
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  samples(tool: string): number {
    return this.byTool.get(tool)?.length ?? 0;
  }
}
