// Issue #10 items 1 and 5: volume names, modes, keys and paths are checked as the API server checks
// them; every host write of a bundle goes through one writer that refuses paths outside the bundle
// (symlinks included); what a plan may write is capped.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runscTestsEnabled } from './fixtures/runner/code-runner';
import { CODE_RUNNER_FIXTURE } from './fixtures/runner/code-runner';
import * as runner from '../src/runner/internal';
import {
  BundleWriter, MAX_BUNDLE_BYTES, RootfsSource, RunPlan, RunPlanInput, buildRunPlan, checkBundlePlan, parseManifests,
  runWorkload, writeBundle,
} from '../src/runner/internal';
import { KubeObject } from '../src/profile/kube';
import { runnerErrorOf } from './helpers/errors';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-volume-safety: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping the runsc test:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const HOST_ROOT: RootfsSource = {
  path: '/', hostRoot: true,
  entries: [{ name: 'bin', type: 'symlink', target: 'usr/bin' }, { name: 'usr', type: 'directory' }, { name: 'etc', type: 'directory' }],
};

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-volume-safety-')); });
afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

function codeRunnerDocs(): KubeObject[] {
  return parseManifests(fs.readFileSync(CODE_RUNNER_FIXTURE, 'utf8'), CODE_RUNNER_FIXTURE);
}

function plan(docs: KubeObject[], extra: Partial<RunPlanInput> = {}, bundleDir = '/tmp/cdk8s-sandbox-test/bundle'): RunPlan {
  return buildRunPlan({ docs, bundleDir, rootfs: HOST_ROOT, containerId: 'cdk8s-sandbox-abc123', cgroupControllers: ['memory', 'cpu', 'pids'], ...extra });
}

/** The code runner with its Job's pod spec changed by `edit`, plus `extra` objects. */
function withPod(edit: (pod: any, container: any) => void, ...extra: KubeObject[]): KubeObject[] {
  const docs = JSON.parse(JSON.stringify(codeRunnerDocs()));
  const job = docs.find((d: any) => d.kind === 'Job');
  edit(job.spec.template.spec, job.spec.template.spec.containers[0]);
  return [...docs, ...extra];
}

const configMap = (name: string, fields: { [key: string]: any }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...fields });

/** Every path under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const d of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${d.name}` : d.name;
      out.push(rel);
      if (d.isDirectory()) walk(rel);
    }
  };
  walk('');
  return out.sort();
}

const UP = '../../../../../../../../../..';

describe('the reported attacks are refused by the planner', () => {
  test('a volume named ../../tmp/x with a setuid item: the name is refused', () => {
    const docs = withPod((pod, c) => {
      pod.volumes.push({ name: `${UP}/tmp/x`, configMap: { name: 'payload', items: [{ key: 'sh', path: 'sh', mode: 0o4755 }] } });
      c.volumeMounts.push({ name: `${UP}/tmp/x`, mountPath: '/payload' });
    }, configMap('payload', { binaryData: { sh: Buffer.from('\x7fELF').toString('base64') } }));
    expect(runnerErrorOf(() => plan(docs)).message).toBe(
      `volumes[2]: name "${UP}/tmp/x" is not a valid volume name (allowed: a DNS-1123 label of at most 63 characters: lower-case letters, digits and "-", starting and ending with a letter or digit)`);
  });

  test('the setuid mode itself is refused too, with a valid name', () => {
    const docs = withPod((pod, c) => {
      pod.volumes.push({ name: 'payload', configMap: { name: 'payload', items: [{ key: 'sh', path: 'sh', mode: 0o4755 }] } });
      c.volumeMounts.push({ name: 'payload', mountPath: '/payload' });
    }, configMap('payload', { binaryData: { sh: Buffer.from('\x7fELF').toString('base64') } }));
    expect(runnerErrorOf(() => plan(docs)).message).toBe(
      'volume payload: items[0].mode: 2541 (04755 in octal) is not a valid file mode (allowed: an integer from 0 to 0777 octal, i.e. 0 to 511; no setuid, setgid or sticky bits)');
  });

  test('a missing optional ConfigMap with fsGroup behind a traversal name: the name is refused', () => {
    const docs = withPod((pod, c) => {
      pod.volumes.push({ name: `${UP}/etc`, configMap: { name: 'absent', optional: true } });
      c.volumeMounts.push({ name: `${UP}/etc`, mountPath: '/x' });
    });
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/^volumes\[2\]: name "(\.\.\/)+\.\.\/etc" is not a valid volume name/);
  });

  test('a volume named ../../.. mounted at /host: refused for root first, then for the name', () => {
    const docs = withPod((pod, c) => {
      delete pod.securityContext.runAsUser; delete c.securityContext.runAsUser;
      pod.securityContext.runAsNonRoot = false; c.securityContext.runAsNonRoot = false;
      pod.volumes.push({ name: UP, configMap: { name: 'absent', optional: true } });
      c.volumeMounts.push({ name: UP, mountPath: '/host' });
    });
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/container runner: would run as UID 0 .* or pass --allow-root/);
    expect(runnerErrorOf(() => plan(docs, { allowRoot: true })).message).toBe(
      `volumes[2]: name "${UP}" is not a valid volume name (allowed: a DNS-1123 label of at most 63 characters: lower-case letters, digits and "-", starting and ending with a letter or digit)`);
  });
});

describe('names, modes, keys and paths are checked as the API server checks them', () => {
  const mount = (volume: any, vm: any = {}) => (pod: any, c: any) => { pod.volumes.push(volume); c.volumeMounts.push({ name: volume.name, mountPath: '/extra', ...vm }); };
  const cm = configMap('extra', { data: { 'a.txt': 'a', b: 'b' } });

  test.each([
    ['Upper', 'volumes[2]: name "Upper" is not a valid volume name'],
    ['-x', 'volumes[2]: name "-x" is not a valid volume name'],
    ['a'.repeat(64), `volumes[2]: name "${'a'.repeat(64)}" is not a valid volume name`],
    ['a.b', 'volumes[2]: name "a.b" is not a valid volume name'],
  ])('volume name %s', (name, message) => {
    expect(runnerErrorOf(() => plan(withPod(mount({ name, configMap: { name: 'extra' } }), cm))).message.startsWith(message)).toBe(true);
  });

  test('a volumeMount name that is not a DNS-1123 label', () => {
    const docs = withPod((_pod, c) => { c.volumeMounts.push({ name: '../code', mountPath: '/x' }); });
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/^container runner, volumeMounts\[2\]: name "\.\.\/code" is not a valid volume name/);
  });

  test('two volumes of one name', () => {
    const docs = withPod((pod) => { pod.volumes.push({ name: 'code', emptyDir: {} }); });
    expect(runnerErrorOf(() => plan(docs)).message).toBe('volume code: the pod has two volumes of that name');
  });

  test.each([
    [0o1000, 'volume extra: defaultMode: 512 (01000 in octal) is not a valid file mode'],
    [-1, 'volume extra: defaultMode: -1 is not a valid file mode'],
    [0.5, 'volume extra: defaultMode: 0.5 is not a valid file mode'],
    ['0644', 'volume extra: defaultMode: "0644" is not a valid file mode'],
  ])('defaultMode %p', (defaultMode, message) => {
    expect(runnerErrorOf(() => plan(withPod(mount({ name: 'extra', configMap: { name: 'extra', defaultMode } }), cm))).message.startsWith(message)).toBe(true);
  });

  test('defaultMode and items modes from 0 to 0777 are taken as given', () => {
    const p = plan(withPod(mount({ name: 'extra', configMap: { name: 'extra', defaultMode: 0o777, items: [{ key: 'a.txt', path: 'a' }, { key: 'b', path: 'b', mode: 0 }] } }), cm), {}, '/b');
    expect(p.files.filter((f) => f.path.startsWith('volumes/extra/')).map((f) => [f.path, f.mode.toString(8)])).toEqual([['volumes/extra/a', '777'], ['volumes/extra/b', '440']]);
  });

  test.each([
    ['/etc/passwd', 'is absolute'],
    ['../x', 'has a ".." element'],
    ['a/../../x', 'has a ".." element'],
    ['..data/x', 'starts with ".." (reserved for the kubelet\'s own files)'],
    ['.', 'names the volume itself'],
    ['', 'is empty or not a string'],
  ])('item path %p', (p, why) => {
    const docs = withPod(mount({ name: 'extra', configMap: { name: 'extra', items: [{ key: 'b', path: p }] } }), cm);
    expect(runnerErrorOf(() => plan(docs)).message).toBe(`volume extra: items[0]: item path ${JSON.stringify(p)} ${why} (allowed: a relative path inside the volume without ".." elements)`);
  });

  test.each([['../../etc', 'has a ".." element'], ['/etc', 'is absolute'], ['a/../..', 'has a ".." element']])('subPath %p', (sub, why) => {
    const docs = withPod(mount({ name: 'extra', configMap: { name: 'extra' } }, { subPath: sub }), cm);
    expect(runnerErrorOf(() => plan(docs)).message).toBe(`container runner, volumeMount extra: subPath ${JSON.stringify(sub)} ${why} (allowed: a relative path inside the volume without ".." elements)`);
  });

  test.each(['a/b', '..', '.', '..x', 'a b', 'x'.repeat(254)])('data key %p of the mounted ConfigMap', (key) => {
    const docs = withPod(mount({ name: 'extra', configMap: { name: 'extra' } }), configMap('extra', { data: { [key]: 'v' } }));
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/^ConfigMap extra: key .* is not a valid data key \(allowed: at most 253 characters of letters, digits, "-", "_" and ".", not "." or "..", not starting with ".."\)$/);
  });

  test('a key used by an item must be a valid key as well', () => {
    const docs = withPod(mount({ name: 'extra', configMap: { name: 'extra', items: [{ key: '../b', path: 'b' }] } }), cm);
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/^volume extra: items\[0\]: key "\.\.\/b" is not a valid data key/);
  });

  test('projected sources that write one path twice conflict', () => {
    const docs = withPod(mount({ name: 'extra', projected: { sources: [{ configMap: { name: 'extra', items: [{ key: 'b', path: 'x' }] } }, { configMap: { name: 'extra', items: [{ key: 'a.txt', path: 'x/y' }] } }] } }), cm);
    expect(runnerErrorOf(() => plan(docs)).message).toBe('volume extra: path "x/y" conflicts with the file "x" already in the volume (conflicting duplicate paths)');
  });

  test('a mountPath under a symlink of the root filesystem is refused (it would be a write through the link)', () => {
    const docs = withPod((pod, c) => { pod.volumes.push({ name: 'extra', configMap: { name: 'extra' } }); c.volumeMounts.push({ name: 'extra', mountPath: '/bin/extra' }); }, cm);
    expect(runnerErrorOf(() => plan(docs)).message).toBe('Job/user-code-run-12345, container runner: mountPath /bin/extra is under /bin, a symlink (to usr/bin) in the root filesystem; mount the volume at the path it points to');
  });
});

describe('what a plan writes is capped', () => {
  const MiB = 2 ** 20;
  const big = 'x'.repeat(MiB);

  test('one ConfigMap holding a 1 MiB string 199 times (YAML aliases) is refused at the 1 MiB object limit', () => {
    const data: { [key: string]: string } = {};
    for (let i = 0; i < 199; i++) data[`k${i}`] = big;
    const docs = withPod((pod) => { pod.volumes[0].configMap.name = 'big'; }, configMap('big', { data }));
    expect(runnerErrorOf(() => plan(docs)).message).toBe(
      'volume code: ConfigMap "big" holds 208666624 bytes (199Mi) of data; a ConfigMap holds at most 1048576 (1Mi), as the API server enforces');
  });

  test('items repeating one key cannot make a volume larger than its objects', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ key: 'k', path: `copy${i}` }));
    const docs = withPod((pod) => { pod.volumes[0].configMap = { name: 'big', items }; }, configMap('big', { data: { k: big.slice(0, MiB - 10) } }));
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/^volume code: its files hold 52428300 bytes \(50Mi\); a configMap volume of 1 ConfigMap\/Secret source holds at most 1048576 \(1Mi/);
  });

  test('a projected volume holds at most 1 MiB per source', () => {
    const value = big.slice(0, MiB - 100);
    const docs = withPod((pod) => {
      pod.volumes[0] = { name: 'code', projected: { sources: [{ configMap: { name: 'one' } }, { configMap: { name: 'two' } }] } };
    }, configMap('one', { data: { a: value } }), configMap('two', { data: { b: value } }));
    expect(plan(docs).files.filter((f) => f.path.startsWith('volumes/code/')).map((f) => f.content.length)).toEqual([MiB - 100, MiB - 100]);
  });

  test(`many volumes of 1 MiB each are refused at the bundle cap (${MAX_BUNDLE_BYTES / MiB} MiB)`, () => {
    const value = big.slice(0, MiB - 100);
    const docs = withPod((pod, c) => {
      for (let i = 0; i < 20; i++) {
        pod.volumes.push({ name: `v${i}`, configMap: { name: 'one' } });
        c.volumeMounts.push({ name: `v${i}`, mountPath: `/data/v${i}` });
      }
    }, configMap('one', { data: { a: value } }));
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(
      /^Job\/user-code-run-12345: the mounted volumes would write 2096\d{4} bytes \(20Mi\) to the bundle on this host; at most 16777216 \(16Mi\) are allowed$/);
  });

  test('environment variables that execve would refuse are refused before config.json is written', () => {
    const docs = withPod((_pod, c) => { c.env = Array.from({ length: 20 }, (_, i) => ({ name: `V${i}`, valueFrom: { configMapKeyRef: { name: 'big', key: 'k' } } })); },
      configMap('big', { data: { k: big } }));
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/^Job\/user-code-run-12345, container runner: environment variable "V0=x+"\.\.\. is 1048580 bytes; execve takes at most 131072 \(128Ki\) per string/);
    const many = withPod((_pod, c) => { c.env = Array.from({ length: 40 }, (_, i) => ({ name: `V${i}`, valueFrom: { configMapKeyRef: { name: 'big', key: 'k' } } })); },
      configMap('big', { data: { k: 'y'.repeat(100_000) } }));
    expect(runnerErrorOf(() => plan(many)).message).toMatch(/the command and environment hold \d+ bytes \(3\.8\dMi\); execve takes at most 2097152 \(2Mi\) in all/);
  });
});

describe('the bundle writer', () => {
  let n = 0;
  /** A fresh bundle path and an outside sentinel directory that must stay empty. */
  function fresh(): { bundle: string; sentinel: string } {
    n++;
    const sentinel = path.join(tmp, `sentinel-${n}`);
    fs.mkdirSync(sentinel);
    return { bundle: path.join(tmp, `case-${n}`, 'bundle'), sentinel };
  }
  /** The planner's plan for the code runner at `bundle`, copied so that `edit` may change it. */
  function basePlan(bundle: string, edit: (p: any) => void = () => {}): RunPlan {
    const real = plan(codeRunnerDocs(), {}, bundle);
    const p = { ...real, dirs: [...real.dirs], files: [...real.files], symlinks: [...real.symlinks], spec: { ...real.spec, mounts: [...real.spec.mounts] } };
    edit(p);
    return p;
  }

  test('the package exports this writer as writeBundle', () => {
    expect(runner.writeBundle).toBe(writeBundle);
  });

  test('writes the planned bundle: modes, group, config.json, all inside', () => {
    const { bundle } = fresh();
    fs.mkdirSync(path.dirname(bundle));
    const p = plan(codeRunnerDocs(), isRoot ? {} : { docs: withPod((pod) => { delete pod.securityContext.fsGroup; }) }, bundle);
    writeBundle(bundle, p);
    expect(fs.statSync(bundle).mode & 0o7777).toBe(0o700);
    const main = fs.statSync(path.join(bundle, 'volumes/code/main.py'));
    expect((main.mode & 0o7777).toString(8)).toBe('444');
    if (isRoot) expect([main.uid, main.gid]).toEqual([0, 65534]);
    expect(fs.readFileSync(path.join(bundle, 'rootfs/etc/hostname'), 'utf8')).toBe('user-code-run-12345-local\n');
    expect(fs.readlinkSync(path.join(bundle, 'rootfs/bin'))).toBe('usr/bin');
    expect(JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(p.spec)));
    expect((fs.statSync(path.join(bundle, 'rootfs/tmp')).mode & 0o7777).toString(8)).toBe('1777');
    expect(tree(bundle)).toEqual(expect.arrayContaining(['config.json', 'rootfs', 'rootfs/etc/passwd', 'rootfs/usr', 'rootfs/workspace', 'volumes', 'volumes/code', 'volumes/code/main.py']));
  });

  test.each([
    ['a directory', (p: any) => { p.dirs.push({ path: 'volumes/../../../escape', mode: 0o755 }); }, 'bundle: refusing directory "volumes/../../../escape": it has a ".." element'],
    ['a file', (p: any) => { p.files.push({ path: 'volumes/code/../../../../x', content: Buffer.from('x'), mode: 0o644 }); }, 'bundle: refusing file "volumes/code/../../../../x": it has a ".." element'],
    ['an absolute file', (p: any) => { p.files.push({ path: '/tmp/x', content: Buffer.from('x'), mode: 0o644 }); }, 'bundle: refusing file "/tmp/x": it is absolute (bundle paths are relative to the bundle directory)'],
    ['a symlink', (p: any) => { p.symlinks.push({ path: '../link', target: '/' }); }, 'bundle: refusing symlink "../link": it has a ".." element'],
    ['a file under a planned symlink', (p: any) => { p.files.push({ path: 'rootfs/bin/x', content: Buffer.from('x'), mode: 0o644 }); }, 'bundle: refusing file rootfs/bin/x: its parent rootfs/bin is not a directory planned before it (it is a symlink)'],
    ['a setuid file', (p: any) => { p.files.push({ path: 'rootfs/su', content: Buffer.from('x'), mode: 0o4755 }); }, 'bundle: refusing file rootfs/su: mode 04755 is not allowed (allowed: 0 to 0777)'],
    ['a bind source through ..', (p: any) => { p.spec.mounts.push({ destination: '/host', type: 'bind', source: `${p.spec.root.path}/../../../../../../..`, options: ['rbind', 'ro'] }); }, /^bundle: bind-mount source of \/host .* resolves outside the bundle/],
    ['a bind source that is a planned symlink', (p: any) => { p.symlinks.push({ path: 'volumes/link', target: '/' }); p.spec.mounts.push({ destination: '/host', type: 'bind', source: `${p.spec.root.path}/../volumes/link`, options: ['rbind', 'ro'] }); }, /^bundle: bind-mount source of \/host .*volumes\/link is not a directory or file the bundle creates \(it is a symlink\)$/],
    ['too many bytes', (p: any) => { p.files.push({ path: 'volumes/code/big', content: Buffer.alloc(MAX_BUNDLE_BYTES), mode: 0o644 }); }, /^bundle: the plan's files hold \d+ bytes \(16Mi\); a bundle holds at most 16777216 \(16Mi\)$/],
  ])('refuses %s before creating anything', (_what, edit, message) => {
    const { bundle, sentinel } = fresh();
    fs.mkdirSync(path.dirname(bundle));
    const p = basePlan(bundle, edit);
    const err = runnerErrorOf(() => writeBundle(bundle, p));
    if (typeof message === 'string') expect(err.message).toBe(message); else expect(err.message).toMatch(message);
    expect(fs.existsSync(bundle)).toBe(false);
    expect(fs.readdirSync(sentinel)).toEqual([]);
    expect(fs.readdirSync(path.dirname(bundle))).toEqual([]);
  });

  test('refuses a bundle directory that already exists, e.g. a planted symlink to elsewhere', () => {
    const { bundle, sentinel } = fresh();
    fs.mkdirSync(path.dirname(bundle));
    fs.symlinkSync(sentinel, bundle);
    expect(runnerErrorOf(() => writeBundle(bundle, basePlan(bundle))).message).toBe(`bundle: cannot create the bundle directory ${bundle}: it already exists (a bundle is always created fresh)`);
    expect(fs.readdirSync(sentinel)).toEqual([]);
  });

  test('refuses to write through a symlink planted where a planned directory goes', () => {
    const { bundle, sentinel } = fresh();
    fs.mkdirSync(path.dirname(bundle));
    const writer = BundleWriter.create(bundle);
    writer.mkdir('volumes', 0o755);
    fs.symlinkSync(sentinel, path.join(bundle, 'volumes/code'));
    expect(runnerErrorOf(() => writer.mkdir('volumes/code', 0o755)).message).toBe('bundle: cannot create directory volumes/code: something already exists there');
    expect(runnerErrorOf(() => writer.writeFile('volumes/code/main.py', Buffer.from('x'), 0o644)).message).toBe(
      'bundle: refusing volumes/code/main.py: its parent volumes/code is not a directory this bundle created');
    expect(fs.readdirSync(sentinel)).toEqual([]);
  });

  test('refuses to write through a created directory that was swapped for a symlink', () => {
    const { bundle, sentinel } = fresh();
    fs.mkdirSync(path.dirname(bundle));
    const writer = BundleWriter.create(bundle);
    writer.mkdir('volumes', 0o755);
    writer.mkdir('volumes/code', 0o755);
    fs.rmdirSync(path.join(bundle, 'volumes/code'));
    fs.symlinkSync(sentinel, path.join(bundle, 'volumes/code'));
    expect(runnerErrorOf(() => writer.writeFile('volumes/code/main.py', Buffer.from('x'), 0o644)).message).toBe(
      'bundle: volumes/code is not the directory this bundle created (found a symlink); refusing to write through it');
    expect(runnerErrorOf(() => writer.mkdir('volumes/code/sub', 0o755)).message).toMatch(/found a symlink/);
    // An ancestor swapped for a symlink to a copy of itself is caught as well (same name, other inode).
    fs.renameSync(path.join(bundle, 'volumes'), path.join(tmp, `moved-${n}`));
    fs.symlinkSync(path.join(tmp, `moved-${n}`), path.join(bundle, 'volumes'));
    expect(runnerErrorOf(() => writer.writeFile('volumes/x', Buffer.from('x'), 0o644)).message).toMatch(/^bundle: volumes is not the directory this bundle created \(found a symlink\)/);
    expect(fs.readdirSync(sentinel)).toEqual([]);
    expect(fs.readdirSync(path.join(tmp, `moved-${n}`))).toEqual(['code']);
  });

  test('refuses to create a file where a planted symlink points outside (O_EXCL | O_NOFOLLOW)', () => {
    const { bundle, sentinel } = fresh();
    fs.mkdirSync(path.dirname(bundle));
    const writer = BundleWriter.create(bundle);
    fs.symlinkSync(path.join(sentinel, 'planted'), path.join(bundle, 'config.json'));
    expect(runnerErrorOf(() => writer.writeFile('config.json', Buffer.from('{}'), 0o600)).message).toBe('bundle: cannot create file config.json: something already exists there');
    expect(fs.readdirSync(sentinel)).toEqual([]);
  });

  test('proves bind sources: a symlink is not a source, nor a path outside', () => {
    const { bundle, sentinel } = fresh();
    fs.mkdirSync(path.dirname(bundle));
    const writer = BundleWriter.create(bundle);
    writer.mkdir('volumes', 0o755);
    writer.symlink('volumes/link', sentinel);
    expect(runnerErrorOf(() => writer.proveInside(`${bundle}/volumes/link`, 'source')).message).toBe(`bundle: source ${bundle}/volumes/link is not a directory or file this bundle created (it is a symlink)`);
    expect(runnerErrorOf(() => writer.proveInside(`${bundle}/volumes/../..`, 'source')).message).toMatch(/is not inside the bundle/);
    expect(() => writer.proveInside(`${bundle}/volumes`, 'source')).not.toThrow();
    expect(runnerErrorOf(() => writer.writeFile('volumes/link/x', Buffer.from('x'), 0o644)).message).toMatch(/its parent volumes\/link is not a directory this bundle created \(it is a symlink\)/);
  });

  test('checkBundlePlan accepts the planner\'s own plans', () => {
    expect(() => checkBundlePlan('/tmp/cdk8s-sandbox-test/bundle', plan(codeRunnerDocs()))).not.toThrow();
  });
});

describe('under runsc', () => {
  testRunsc('a traversal volume is refused before anything is created', async () => {
    const runs = fs.mkdtempSync(path.join(tmp, 'runs-'));
    const sentinel = fs.mkdtempSync(path.join(tmp, 'sentinel-'));
    // The volume's directory would have been <runs>/<id>/bundle/volumes/<name>, i.e. <sentinel>/x.
    const name = `${UP}${sentinel}/x`;
    const docs = withPod((pod, c) => {
      pod.volumes.push({ name, configMap: { name: 'payload', items: [{ key: 'sh', path: 'sh', mode: 0o4755 }] } });
      c.volumeMounts.push({ name, mountPath: '/payload' });
    }, configMap('payload', { binaryData: { sh: Buffer.from('#!/bin/sh\nid\n').toString('base64') } }));
    await expect(runWorkload({ documents: docs, workload: 'Job/user-code-run-12345', tempDir: runs, handleSignals: false })).rejects.toThrow(
      `volumes[2]: name "${name}" is not a valid volume name`);
    const host = withPod((pod, c) => {
      pod.volumes.push({ name: UP, configMap: { name: 'absent', optional: true } });
      c.volumeMounts.push({ name: UP, mountPath: '/host' });
    });
    await expect(runWorkload({ documents: host, workload: 'Job/user-code-run-12345', tempDir: runs, handleSignals: false })).rejects.toThrow(
      `volumes[2]: name "${UP}" is not a valid volume name`);
    expect(fs.readdirSync(runs)).toEqual([]);
    expect(fs.readdirSync(sentinel)).toEqual([]);
    expect(fs.existsSync(path.join(sentinel, 'x'))).toBe(false);
  }, 60_000);
});
