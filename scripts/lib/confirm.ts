/** The questions apply and destroy ask before touching anything. */
import * as readline from 'readline';
import type { GraphNode } from '../../lib/graph';
import { executionOrder, prerequisites } from './runner';
import type { PlanRecord } from './saved-plans';

export interface Prompt {
  /** Asks and resolves with the typed line; undefined when there is no terminal to ask. */
  ask(question: string): Promise<string | undefined>;
}

/** Reads one line from stdin when it is a TTY; never asks a pipe (CI must say AUTO_APPROVE=1 or --confirm). */
export function terminalPrompt(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout): Prompt {
  return {
    ask(question) {
      if (!input.isTTY) return Promise.resolve(undefined);
      const rl = readline.createInterface({ input, output });
      return new Promise((resolve) => rl.question(question, (answer) => { rl.close(); resolve(answer.trim()); }));
    },
  };
}

export interface Decision {
  readonly proceed: boolean;
  readonly message: string;
}

export async function confirmApply(nodes: readonly GraphNode[], autoApprove: boolean, prompt: Prompt, print: (line: string) => void, saved?: readonly string[]): Promise<Decision> {
  if (autoApprove) return { proceed: true, message: 'AUTO_APPROVE=1: applying without asking' };
  print(`apply will run, dependencies first: ${executionOrder('apply', nodes).map((n) => `${n.account}/${n.layer}`).join(', ')}`);
  if (saved) {
    print('saved plans to apply, exactly as planned:');
    saved.forEach((l) => print(l));
  }
  const how = saved ? 'Each applies its saved plan, unless refused' : 'Each applies what its own plan shows';
  const answer = await prompt.ask(`Apply ${nodes.length} layer(s)? ${how}, without a further question. Type "yes": `);
  if (answer === undefined) return { proceed: false, message: 'refusing to apply: no terminal to confirm on; set AUTO_APPROVE=1 (--auto-approve)' };
  return answer === 'yes' ? { proceed: true, message: 'confirmed' } : { proceed: false, message: `not applied (answer was "${answer}", not "yes")` };
}

/**
 * What `apply --planned` is about to apply, one line per layer in order: the saved plan's counts and age, and the
 * refusals that are known before anything runs (no saved plan, a speculative one, stateful replacements not allowed).
 */
export function savedPlanLines(nodes: readonly GraphNode[], recordOf: (id: string) => PlanRecord | undefined, allowed: ReadonlySet<string>): string[] {
  return executionOrder('apply', nodes).map((n) => {
    const record = recordOf(n.id);
    const where = `  ${n.account}/${n.layer}: `;
    if (!record) return `${where}no saved plan (will be refused)`;
    const c = record.counts;
    const what = record.noChanges ? 'no changes' : c ? `${c.add} to add, ${c.change} to change, ${c.destroy} to destroy` : 'changes';
    const blocked = record.replacements.filter((r) => !allowed.has(r.address)).map((r) => r.address);
    const notes = [
      record.speculative ? 'speculative: will be refused' : '',
      blocked.length ? `replaces ${blocked.join(', ')}: refused without ALLOW_REPLACE` : '',
      record.replacements.length > blocked.length ? 'ALLOW_REPLACE covers its replacements' : '',
    ].filter(Boolean);
    return `${where}${what} (planned ${record.plannedAt})${notes.length ? ` [${notes.join('; ')}]` : ''}`;
  });
}

/** The name a destroy must be confirmed with: the account when the selection is one account, else the project. */
export function destroyConfirmationName(nodes: readonly GraphNode[]): string {
  const projects = [...new Set(nodes.map((n) => n.project))];
  if (projects.length > 1) throw new Error(`refusing to destroy across several projects (${projects.join(', ')}): pass PROJECT=<name> (--project)`);
  const accounts = [...new Set(nodes.map((n) => n.account))];
  return accounts.length === 1 ? accounts[0] : projects[0];
}

/** A layer outside a destroy's selection that reads a selected one: destroying would leave it reading nothing. */
export interface StrandedReader {
  readonly reader: GraphNode;
  /** The selected layers it reads. */
  readonly reads: readonly GraphNode[];
}

/** Every layer of `graph` (any account) outside `selected` that reads a selected layer. */
export function strandedReaders(graph: readonly GraphNode[], selected: readonly GraphNode[]): StrandedReader[] {
  const chosen = new Map(selected.map((n) => [n.id, n]));
  return graph
    .filter((n) => !chosen.has(n.id))
    .map((reader) => ({ reader, reads: reader.dependsOn.filter((d) => chosen.has(d)).map((d) => chosen.get(d)!) }))
    .filter((s) => s.reads.length > 0);
}

export interface DestroyOptions {
  readonly forceStateful: boolean;
  /** Go ahead although layers outside the selection read the selected ones. @default false */
  readonly forceOrphans?: boolean;
  readonly confirm?: string;
  /** The whole synthesized graph, to find readers outside the selection. @default the selection itself */
  readonly graph?: readonly GraphNode[];
}

export async function confirmDestroy(
  nodes: readonly GraphNode[],
  options: DestroyOptions,
  prompt: Prompt,
  print: (line: string) => void,
): Promise<Decision> {
  const name = destroyConfirmationName(nodes);
  const where = (n: GraphNode): string => `${n.account}/${n.layer}`;
  // Readers outside the selection would keep running against a state that is gone: refused before anything is asked.
  const stranded = strandedReaders(options.graph ?? nodes, nodes);
  if (stranded.length > 0) {
    const lines = stranded.map((s) => `  ${where(s.reader)} reads ${s.reads.map(where).join(', ')}`);
    if (!options.forceOrphans) {
      print(`${stranded.length} layer(s) outside the selection still read what it would destroy:`);
      lines.forEach((l) => print(l));
      return {
        proceed: false,
        message: 'refusing to destroy: destroy those too with INCLUDE_DEPENDENTS=1 (--include-dependents), or leave them reading ' +
          'a state that is gone with FORCE_ORPHANS=1 (--force-orphans)',
      };
    }
    print(`FORCE_ORPHANS=1: ${stranded.length} layer(s) outside the selection will be left reading a destroyed layer:`);
    lines.forEach((l) => print(l));
  }
  const order = executionOrder('destroy', nodes);
  // A refused (stateful) layer keeps everything it reads: the runner skips those, so the list says so up front.
  const waitsFor = prerequisites('destroy', nodes);
  const keptBy = new Map<string, string>();
  for (const n of order) {
    if (n.stateful && !options.forceStateful) keptBy.set(n.id, 'stateful: REFUSED (FORCE_STATEFUL=1 to destroy it)');
    else {
      const keeper = [...waitsFor.get(n.id)!].find((d) => keptBy.has(d));
      if (keeper) keptBy.set(n.id, `kept: ${keeper} still reads it`);
    }
  }
  print('destroy will run, in this order (dependents first):');
  order.forEach((n, i) => {
    const note = keptBy.get(n.id) ?? (n.stateful ? 'stateful: FORCED' : undefined);
    print(`  ${String(i + 1).padStart(3)}. ${n.account}/${n.layer}${note ? `  [${note}]` : ''}`);
  });
  if (options.confirm !== undefined) {
    return options.confirm === name
      ? { proceed: true, message: `confirmed with CONFIRM=${name}` }
      : { proceed: false, message: `refusing to destroy: CONFIRM=${options.confirm} (--confirm) is not "${name}"` };
  }
  const answer = await prompt.ask(`Type the ${name === nodes[0]?.account && new Set(nodes.map((n) => n.account)).size === 1 ? 'account' : 'project'} name "${name}" to destroy: `);
  if (answer === undefined) return { proceed: false, message: `refusing to destroy: no terminal to confirm on; pass CONFIRM=${name} (--confirm ${name})` };
  return answer === name ? { proceed: true, message: 'confirmed' } : { proceed: false, message: `not destroyed ("${answer}" is not "${name}")` };
}
