/** make ci-files: regenerates atlantis.yaml, .github/workflows/layers.yml and drift.yml from the example organisation's graph. */
import * as fs from 'fs';
import * as path from 'path';
import { ATLANTIS_FILE, atlantisYaml, ciInput, DRIFT_WORKFLOW_FILE, driftWorkflowYaml, githubWorkflowYaml, WORKFLOW_FILE } from './lib/ci-files';
import { REPO_ROOT } from './lib/paths';

const input = ciInput(process.env.PROJECT || 'acme');
for (const [file, content] of [[ATLANTIS_FILE, atlantisYaml(input)], [WORKFLOW_FILE, githubWorkflowYaml(input)], [DRIFT_WORKFLOW_FILE, driftWorkflowYaml(input)]] as const) {
  const target = path.join(REPO_ROOT, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  console.log(`${file}: ${input.stacks.length} stacks`);
}
