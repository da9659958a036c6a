// `npm run synth` swaps dist/ only when the whole synth (app and validation) succeeded.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const scripts: { [name: string]: string } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
const swapScript: string = scripts['synth:dist'];

/** Runs the swap step of `npm run synth` in a scratch project whose app is `app`; returns whether it succeeded. */
function synthIn(dir: string, app: string): boolean {
  fs.writeFileSync(path.join(dir, 'app.js'), app);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'language: typescript\napp: node app.js\noutput: dist\n');
  try {
    execFileSync('sh', ['-c', swapScript], {
      cwd: dir,
      env: { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`, NODE_PATH: path.join(root, 'node_modules'), CDK8S_CHECK_UPGRADE: 'false' },
      stdio: 'pipe',
    });
    return true;
  } catch {
    return false;
  }
}

const GOOD_APP = `
const { App, Chart, ApiObject } = require('cdk8s');
const app = new App();
new ApiObject(new Chart(app, 'c'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fresh' } });
app.synth();
`;

describe('npm run synth (swap step)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-script-'));
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'previous.k8s.yaml'), 'kind: Previous\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // `synth` spells the swap out instead of calling `npm run synth:dist`, to spare a second npm process (about 0.4 s).
  test('npm run synth is the transpile followed by exactly the swap step tested here', () => {
    expect(scripts.synth).toBe(`node scripts/transpile.js && ${swapScript}`);
  });

  test('a failing app leaves dist/ exactly as it was', () => {
    expect(synthIn(dir, 'throw new Error("bad props");')).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['previous.k8s.yaml']);
    expect(fs.readFileSync(path.join(dir, 'dist', 'previous.k8s.yaml'), 'utf8')).toBe('kind: Previous\n');
  });

  test('a successful synth replaces dist/ whole', () => {
    expect(synthIn(dir, GOOD_APP)).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['c.k8s.yaml']);
    expect(fs.readFileSync(path.join(dir, 'dist', 'c.k8s.yaml'), 'utf8')).toContain('name: fresh');
    expect(fs.existsSync(path.join(dir, '.dist-next'))).toBe(false);
  });
});
