// GET /api/options as the server sends it, for the tests of modules that read it (the store):
// the file NNPLAY_OPTIONS names (tests/test_js.py writes it from the app), else asked of the app
// itself through the project's Python, so the tests never hold a copy of their own.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DUMP = 'import json; from fastapi.testclient import TestClient; from app.main import create_app; '
  + "print(json.dumps(TestClient(create_app()).get('/api/options').json()))";

function load() {
  if (process.env.NNPLAY_OPTIONS) return JSON.parse(readFileSync(process.env.NNPLAY_OPTIONS, 'utf8'));
  const venv = join(ROOT, '.venv', 'bin', 'python');
  const python = existsSync(venv) ? venv : 'python3';
  return JSON.parse(execFileSync(python, ['-c', DUMP], { cwd: ROOT, encoding: 'utf8' }));
}

export const OPTIONS = load();
