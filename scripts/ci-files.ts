/** make ci-files: regenerates atlantis.yaml and .github/workflows/layers.yml from the example organisation's graph. */
import * as fs from 'fs';
import * as path from 'path';
import { ATLANTIS_FILE, atlantisYaml, ciInput, githubWorkflowYaml, WORKFLOW_FILE } from './lib/ci-files';
import { REPO_ROOT } from './lib/paths';

const input = ciInput(process.env.PROJECT || 'acme');
for (const [file, content] of [[ATLANTIS_FILE, atlantisYaml(input)], [WORKFLOW_FILE, githubWorkflowYaml(input)]] as const) {
  const target = path.join(REPO_ROOT, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  console.log(`${file}: ${input.stacks.length} stacks`);
}
