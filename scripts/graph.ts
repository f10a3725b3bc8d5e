/**
 * make graph: writes docs/graph.mmd (Mermaid) and docs/graph.dot (Graphviz) of the example organisation, and the
 * Mermaid block of the README between its graph markers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectGraph, toDot, toMermaid } from './lib/graph-render';
import { REPO_ROOT } from './lib/paths';

export const README_GRAPH = /(<!-- graph:start -->\n```mermaid\n)[\s\S]*?(```\n<!-- graph:end -->)/;

const graph = projectGraph(process.env.PROJECT || 'acme');
const docs = path.join(REPO_ROOT, 'docs');
fs.mkdirSync(docs, { recursive: true });
const mermaid = toMermaid(graph);
fs.writeFileSync(path.join(docs, 'graph.mmd'), mermaid);
fs.writeFileSync(path.join(docs, 'graph.dot'), toDot(graph));
const readmePath = path.join(REPO_ROOT, 'README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
if (!README_GRAPH.test(readme)) throw new Error('README.md has no <!-- graph:start --> ```mermaid ... ``` <!-- graph:end --> block');
fs.writeFileSync(readmePath, readme.replace(README_GRAPH, (_, start: string, end: string) => `${start}${mermaid}${end}`));
const edges = graph.reduce((n, node) => n + node.dependsOn.length, 0);
console.log(`docs/graph.mmd, docs/graph.dot and the README graph: ${graph.length} layers, ${edges} remote-state reads`);
