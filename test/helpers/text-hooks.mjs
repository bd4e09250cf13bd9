// Module hooks for running src/ under tsx: a shell script imported as text
// (`import script from './node-trust.sh'`), as esbuild's text loader does in the build.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.sh')) {
    const text = fs.readFileSync(fileURLToPath(url), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return next(url, context);
}
