// A 50 MB manifest set, generated into the temp directory: the audit must finish without a crash,
// in bounded memory, and find exactly the weakened objects hidden in it. Prints time and peak memory.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';

const ROOT = path.resolve(__dirname, '..');
const HOOK = path.join(__dirname, 'fixtures', 'audit', 'register-ts.js');
const FIXTURE = (jsyaml.loadAll(fs.readFileSync(path.join(__dirname, 'fixtures', 'audit', 'hardened.yaml'), 'utf8')) as any[]);
const TARGET_BYTES = 50 * 1024 * 1024;
/** The V8 heap limit the audit of the whole set must fit in. */
const HEAP_LIMIT_MB = 128;
/** Every this-many-th Deployment gets a `:latest` image. */
const WEAKEN_EVERY = 101;

/** One object as YAML with `__NAME__` and `__NAMESPACE__` to fill in (dumping 30 000 objects one by one takes too long). */
function template(obj: any, name: string): string {
  return `---\n${jsyaml.dump({ ...obj, metadata: { name, namespace: '__NAMESPACE__' } }, { noRefs: true })}`;
}

/** Writes the set: 20 files of about 2 MB and one of about 10 MB, each its own namespace with a deny-all policy. */
function generate(dir: string): { bytes: number; objects: number; weakened: number; files: number } {
  const deployment = structuredClone(FIXTURE.find((o) => o.kind === 'Deployment'));
  deployment.spec.replicas = 1;
  const weakDeployment = structuredClone(deployment);
  weakDeployment.spec.template.spec.containers[0].image = 'registry.example.com/api:latest';
  const templates = {
    policy: template({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }, 'deny-all'),
    deployment: template(deployment, 'api-__NAME__'),
    weakDeployment: template(weakDeployment, 'api-__NAME__'),
    job: template(FIXTURE.find((o) => o.kind === 'Job'), 'run-__NAME__'),
  };
  const sizes = [...Array(20).fill(2 * 1024 * 1024), 10 * 1024 * 1024];
  let bytes = 0;
  let objects = 0;
  let weakened = 0;
  let serial = 0;
  sizes.forEach((size, f) => {
    const namespace = `big-${f}`;
    const chunks: string[] = [];
    let written = 0;
    const write = (text: string) => {
      const filled = text.replace('__NAMESPACE__', namespace).replace('__NAME__', String(serial));
      chunks.push(filled);
      written += filled.length;
      objects++;
    };
    write(templates.policy);
    while (written < size && bytes + written < TARGET_BYTES) {
      serial++;
      const weak = serial % WEAKEN_EVERY === 0;
      if (weak) weakened++;
      write(weak ? templates.weakDeployment : templates.deployment);
      write(templates.job);
    }
    fs.writeFileSync(path.join(dir, `set-${String(f).padStart(2, '0')}.yaml`), chunks.join(''));
    bytes += written;
  });
  return { bytes, objects, weakened, files: sizes.length };
}

test('a 50 MB manifest set is audited in bounded memory, and the weakened objects in it found', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-50mb-'));
  try {
    const set = generate(dir);
    expect(set.bytes).toBeGreaterThanOrEqual(49 * 1024 * 1024);
    const rssFile = path.join(dir, 'maxrss');
    const started = Date.now();
    // A 128 MB heap limit: the audit keeps a small skeleton per object, never the input, so it must fit.
    const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '-r', HOOK, path.join(ROOT, 'src', 'cli', 'main.ts'), 'audit', '--format', 'json', dir], {
      cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, AUDIT_MAXRSS_FILE: rssFile },
    });
    const seconds = (Date.now() - started) / 1000;
    const peakMiB = Number(fs.readFileSync(rssFile, 'utf8')) / 1024;
    // eslint-disable-next-line no-console
    console.log(`audit of ${(set.bytes / 1024 / 1024).toFixed(1)} MB (${set.files} files, ${set.objects} objects): ${seconds.toFixed(1)} s, peak RSS ${peakMiB.toFixed(0)} MiB (heap limit ${HEAP_LIMIT_MB} MB)`);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(1);
    const report = JSON.parse(child.stdout);
    expect(report.summary).toEqual({ files: set.files, objects: set.objects, audited: set.objects, findings: set.weakened, suppressed: 0, errors: 0, skipped: 0, exitCode: 1 });
    expect(new Set(report.findings.map((f: any) => `${f.rule} ${f.path}`))).toEqual(new Set(['image-pinned spec.template.spec.containers[0].image']));
    expect(report.findings.map((f: any) => f.object.name)).toEqual(Array.from({ length: set.weakened }, (_, i) => `api-${(i + 1) * WEAKEN_EVERY}`));
    expect(peakMiB).toBeLessThan(300);
    expect(seconds).toBeLessThan(60);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
