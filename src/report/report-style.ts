/**
 * The report's stylesheet, inlined into the page so it loads nothing from anywhere.
 */
import { NODE_OUTCOMES, OUTCOME_COLOURS } from '../graph-drawing/drawing-model.js';

/**
 * CSS for the HTML run report. Outcome colours are the drawings' own, so a node looks the same
 * in the graph, the timeline and the legend.
 *
 * @example
 * const html = `<style>${reportStyle()}</style>`;
 */
export function reportStyle(): string {
  const outcomeRules = NODE_OUTCOMES.map((outcome) => {
    const { fill, stroke } = OUTCOME_COLOURS[outcome];
    return [
      `.bar.${outcome} rect { fill: ${fill}; stroke: ${stroke}; }`,
      `.swatch.${outcome} { background: ${fill}; border-color: ${stroke}; }`,
      `tr.${outcome} td.outcome { background: ${fill}; }`,
    ].join('\n');
  });
  return `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
body { margin: 0 auto; padding: 1.5rem; max-width: 1100px; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 0.4rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.summary { margin: 0.2rem 0; color: #444; }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; margin: 0.6rem 0; }
.legend li { display: flex; align-items: center; gap: 0.35rem; }
.swatch { display: inline-block; width: 0.9rem; height: 0.9rem; border: 1px solid; border-radius: 2px; }
.graph { overflow: auto; border: 1px solid #eee; padding: 0.5rem; }
.graph svg { max-width: 100%; height: auto; }
.timeline { max-width: 100%; height: auto; font-size: 11px; }
.timeline text.thread { font-weight: 600; fill: #333; }
.timeline text.tick { fill: #777; font-size: 10px; }
.timeline line.tick { stroke: #eee; }
.timeline line.row { stroke: #ddd; }
.timeline .bar text { fill: #1b1b1b; pointer-events: none; }
.timeline .bar:hover rect { stroke-width: 2; }
.timeline .bar.startup rect { fill: #f2f2f2; stroke: #bdbdbd; stroke-dasharray: 3 2; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eee; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.error { color: #8b1a1a; }
.empty { color: #777; }
footer { margin-top: 2rem; color: #888; font-size: 0.8rem; }
${outcomeRules.join('\n')}
`;
}
