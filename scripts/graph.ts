/** make graph: writes docs/graph.mmd (Mermaid) and docs/graph.dot (Graphviz) of the example organisation. */
import * as fs from 'fs';
import * as path from 'path';
import { projectGraph, toDot, toMermaid } from './lib/graph-render';
import { REPO_ROOT } from './lib/paths';

const graph = projectGraph(process.env.PROJECT || 'acme');
const docs = path.join(REPO_ROOT, 'docs');
fs.mkdirSync(docs, { recursive: true });
fs.writeFileSync(path.join(docs, 'graph.mmd'), toMermaid(graph));
fs.writeFileSync(path.join(docs, 'graph.dot'), toDot(graph));
const edges = graph.reduce((n, node) => n + node.dependsOn.length, 0);
console.log(`docs/graph.mmd and docs/graph.dot: ${graph.length} layers, ${edges} remote-state reads`);
