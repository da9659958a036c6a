// Smaller refusals of issue 11: byte quantities in milli-units, image references the runtimes refuse (upper
// case), Service names that are not DNS-1035 labels, and the 64-bit content hash within the 63-character budget.
import { Chart, Testing } from 'cdk8s';
import { CodeRunnerJob, GvisorRuntimeClass, NetworkPeer, SandboxNamespace, SandboxNetworkPolicy, SandboxPlatform, SandboxedDeployment } from '../src';
import { renderCodeRun } from '../src/builders/render';
import { thrown } from './helpers/errors';

const PY = 'print(1)\n';

const deployment = (props: object) => () => new SandboxedDeployment(new Chart(Testing.app(), 'c'), 'api', { image: 'app:1.0.0', networkPolicyManagedElsewhere: 'not under test', ...props });

describe('byte quantities are whole bytes: "512m" is 0.512 bytes, not 512 MB', () => {
  test.each([
    ['memoryLimit', { resources: { memoryLimit: '512m' } }, 'c/api: resources.memoryLimit is "512m"; must be a whole number of bytes ("512m" is 0.512 bytes; "m" means milli, not mega): use a suffix such as Mi or M, e.g. "512Mi"'],
    ['memoryRequest', { resources: { memoryRequest: '1500m' } }, 'c/api: resources.memoryRequest is "1500m"; must be a whole number of bytes ("1500m" is 1.5 bytes'],
    ['ephemeralStorageLimit', { resources: { ephemeralStorageLimit: '0.5' } }, 'c/api: resources.ephemeralStorageLimit is "0.5"; must be a whole number of bytes'],
    ['a writable path\'s sizeLimit', { writablePaths: [{ path: '/tmp', sizeLimit: '64m' }] }, 'c/api: writablePaths[0].sizeLimit is "64m"; must be a whole number of bytes'],
  ])('%s', (_what, props, message) => {
    expect(thrown(deployment(props))).toContain(message);
  });

  test('CPU keeps its milli-units', () => {
    const d = deployment({ resources: { cpuLimit: '750m', cpuRequest: '250m', memoryLimit: '1.5Gi' } })();
    expect(d.deployment.toJson().spec.template.spec.containers[0].resources.limits).toMatchObject({ cpu: '750m', memory: '1.5Gi' });
  });

  test('a SandboxNamespace\'s quota and limits too', () => {
    expect(thrown(() => new SandboxNamespace(new Chart(Testing.app(), 'c'), 'jobs', { quota: { limitsMemory: '32m' } }))).toContain('c/jobs: quota.limitsMemory is "32m"; must be a whole number of bytes');
    expect(thrown(() => new SandboxNamespace(new Chart(Testing.app(), 'c'), 'jobs', { limits: { maxMemory: '4096m' } }))).toContain('c/jobs: limits.maxMemory is "4096m"; must be a whole number of bytes');
    expect(() => new SandboxNamespace(new Chart(Testing.app(), 'c'), 'jobs', { limits: { maxCpu: '1500m', defaultCpuLimit: '500m' } })).not.toThrow();
  });
});

describe('image references as the container runtimes read them', () => {
  test.each([
    ['Nginx:1.25', 'repository component "Nginx" must be lowercase letters and digits'],
    ['library/Python:3.12.7', 'repository component "Python" must be lowercase'],
    ['registry.example.com/Team/app:1.2.3', 'repository component "Team" must be lowercase'],
    ['registry_example:5000/app:1.0.0', 'registry "registry_example:5000" is not a host name'],
    ['app.:1.0.0', 'repository component "app." must be lowercase'],
  ])('%s is refused', (image, message) => {
    const text = thrown(deployment({ image }));
    expect(text).toContain(`c/api: image is "${image}"; is not a valid image reference: ${message}`);
  });

  test.each(['nginx:1.25.3', 'my--app:1.0.0', 'MyRegistry.example.com:5000/team/app:1.2.3', 'localhost/app:0.1.0', 'ghcr.io/org/some_app__x.y:2024.11.01', `registry.example/app@sha256:${'a'.repeat(64)}`])('%s passes', (image) => {
    expect(() => deployment({ image })()).not.toThrow();
  });
});

describe('a Service name is a DNS-1035 label', () => {
  test('service: true with a name starting with a digit is refused; without a Service the name is fine', () => {
    expect(thrown(deployment({ name: '1st-api', service: true, ports: [{ number: 8080 }] }))).toBe('c/api: name is "1st-api"; with service: true the name is also the Service\'s, a DNS-1035 label: it must start with a lowercase letter');
    expect(() => deployment({ name: '1st-api' })()).not.toThrow();
  });
});

describe('content-hash names: 64 bits within 63 characters', () => {
  test('a generated name carries 16 hex digits; the longest name that fits is 46 characters', () => {
    expect(renderCodeRun({ code: PY }).name).toMatch(/^code-run-[0-9a-f]{16}$/);
    expect(renderCodeRun({ code: PY, name: 'n'.repeat(46) }).name).toMatch(new RegExp(`^${'n'.repeat(46)}-[0-9a-f]{16}$`));
    expect(renderCodeRun({ code: PY, name: 'n'.repeat(46) }).name).toHaveLength(63);
    expect(thrown(() => renderCodeRun({ code: PY, name: 'n'.repeat(47) }))).toContain('render: name is "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"; must be a DNS label: at most 46');
    const chart = new Chart(Testing.app(), 'c');
    const run = new CodeRunnerJob(chart, 'x'.repeat(100), { code: PY });
    expect(run.name).toHaveLength(63);
    expect(run.name).toMatch(/^x{46}-[0-9a-f]{16}$/);
  });
});

describe('file names the kubelet would refuse', () => {
  test.each(['..data', '..2024_01_01', '...py', 'pkg/..data'])('%s is refused', (fileName) => {
    expect(thrown(() => renderCodeRun({ files: { 'main.py': PY, [fileName]: 'x' } }))).toBe(`render: files["${fileName}"] is "${fileName}"; no name may start with "..": the kubelet keeps its own ..data entries in a mounted volume and refuses such paths`);
  });

  test('a name with dots inside is fine', () => {
    const job = renderCodeRun({ files: { 'main.py': PY, 'a..b.py': 'x' } }).objects[0];
    expect(job.spec.template.spec.volumes.find((v: any) => v.name === 'code').downwardAPI.items.map((i: any) => i.path)).toEqual(['a..b.py', 'main.py']);
  });
});

describe('CIDRs name networks, not hosts inside them', () => {
  const policy = (cidr: string, except?: string[]) => () => {
    const chart = new Chart(Testing.app(), 'c');
    const api = new SandboxedDeployment(chart, 'api', { image: 'app:1.0.0' });
    new SandboxNetworkPolicy(chart, 'p', { selects: [api], egress: [{ peers: [NetworkPeer.cidr(cidr, except)], ports: [{ port: 443 }] }] });
  };

  test('203.0.113.5/24 is refused with the network it means', () => {
    expect(thrown(policy('203.0.113.5/24'))).toContain('peer.cidr is "203.0.113.5/24"; sets host bits past its /24 prefix; write the network it means, 203.0.113.0/24 (or a /32 for one address)');
  });

  test('an except with host bits, and IPv6, likewise', () => {
    expect(thrown(policy('203.0.113.0/24', ['203.0.113.9/28']))).toContain('peer.except is "203.0.113.9/28"; sets host bits past its /28 prefix; write the network it means, 203.0.113.0/28');
    expect(thrown(policy('2001:db8::1/64'))).toContain('peer.cidr is "2001:db8::1/64"; sets host bits past its /64 prefix; write the network it means, 2001:db8::/64 (or a /128 for one address)');
  });

  test('a network, and a single address, pass', () => {
    expect(policy('203.0.113.0/24', ['203.0.113.16/28'])).not.toThrow();
    expect(policy('203.0.113.5/32')).not.toThrow();
  });
});

test('a GvisorRuntimeClass overheadMemory in milli-units is refused', () => {
  expect(thrown(() => new GvisorRuntimeClass(new Chart(Testing.app(), 'c'), 'rc', { platform: SandboxPlatform.SELF_MANAGED, overheadMemory: '64m' })))
    .toContain('c/rc: overheadMemory is "64m"; must be a whole number of bytes');
});
