// Issue #10 item 7: quantities are parsed exactly, and what is not a finite, exact, in-range value
// is refused with the field, the value and what is allowed (never a silent `"limit": null`).
import { MAX_EXACT_INTEGER, MAX_MILLICORES, RunnerError, buildRunPlan, cpuQuotaUs, cpuShares, parseBytes, parseMillicores, resourceFieldValue } from '../src/runner/internal';
import { KubeObject } from '../src/profile/kube';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RunnerError);
    return (err as Error).message;
  }
  throw new Error('expected a RunnerError');
}

describe('byte quantities', () => {
  test.each([
    ['64Mi', 67108864], ['1G', 1e9], ['1e3', 1000], ['1E3', 1000], ['1.5Gi', 1610612736], ['0.1Mi', 104858], ['.5Ki', 512],
    ['+2k', 2000], ['100m', 1], ['7Pi', 7 * 2 ** 50], ['1e-3', 1], ['0', 0], [536870912, 536870912], [0.5, 1],
  ])('%p is %p bytes (rounded up, as the kubelet does)', (value, bytes) => {
    expect(parseBytes(value, 'limits.memory')).toBe(bytes);
  });

  test('exact beyond floating point: 9007199254740991 is exact, one more is refused', () => {
    expect(parseBytes('9007199254740991', 'x')).toBe(MAX_EXACT_INTEGER);
    expect(messageOf(() => parseBytes('9007199254740992', 'limits.memory'))).toBe(
      'limits.memory: "9007199254740992" is out of range (allowed: a byte quantity from 0 to 9007199254740991 bytes, about 8Pi)');
  });

  test('"1e400" is refused, not turned into Infinity (and config.json\'s "limit": null)', () => {
    expect(messageOf(() => parseBytes('1e400', 'Job/x, container c: limits.memory'))).toBe(
      'Job/x, container c: limits.memory: "1e400" is out of range: its exponent 400 is beyond ±200 (allowed: a whole number of at most 9007199254740991)');
    expect(messageOf(() => parseBytes('1e30', 'limits.memory'))).toBe('limits.memory: "1e30" is out of range (allowed: a byte quantity from 0 to 9007199254740991 bytes, about 8Pi)');
    expect(messageOf(() => parseBytes('8Pi', 'limits.memory'))).toMatch(/"8Pi" is out of range/); // 2^53: not exact
    expect(messageOf(() => parseBytes('16Ei', 'limits.memory'))).toMatch(/"16Ei" is out of range/);
  });

  test('numbers from YAML that are not finite or are negative are refused', () => {
    expect(messageOf(() => parseBytes(Infinity, 'limits.memory'))).toBe('limits.memory: Infinity is not a finite quantity (examples: 64Mi, 1Gi, 500m, 2)');
    expect(messageOf(() => parseBytes(NaN, 'limits.memory'))).toBe('limits.memory: NaN is not a finite quantity (examples: 64Mi, 1Gi, 500m, 2)');
    expect(messageOf(() => parseBytes(-1, 'limits.memory'))).toBe('limits.memory: -1 is negative; a quantity here must be at least 0');
    expect(messageOf(() => parseBytes('-1Gi', 'limits.memory'))).toBe('limits.memory: "-1Gi" is negative; a quantity here must be at least 0');
    expect(messageOf(() => parseBytes({} as any, 'limits.memory'))).toBe('limits.memory: {} is not a Kubernetes quantity (examples: 64Mi, 1Gi, 500m, 2)');
  });

  test('a minimum: 0 would mean "no limit" to runsc and tmpfs', () => {
    expect(messageOf(() => parseBytes('0', 'limits.memory', { min: 1 }))).toBe('limits.memory: "0" is out of range (allowed: a byte quantity from 1 to 9007199254740991 bytes, about 8Pi)');
    expect(parseBytes('1', 'x', { min: 1 })).toBe(1);
  });

  test('text that is not a quantity, or absurdly long, is refused', () => {
    expect(messageOf(() => parseBytes('lots', 'limits.memory'))).toBe('limits.memory: "lots" is not a Kubernetes quantity (examples: 64Mi, 1Gi, 500m, 2)');
    expect(messageOf(() => parseBytes('1'.repeat(101), 'limits.memory'))).toMatch(/is 101 characters long; a quantity here has at most 100$/);
    expect(messageOf(() => parseBytes('1Mib', 'x'))).toMatch(/is not a Kubernetes quantity/);
  });
});

describe('CPU quantities', () => {
  test('millicores, rounded up to 1m', () => {
    expect(parseMillicores('500m', 'x')).toBe(500);
    expect(parseMillicores('1.5', 'x')).toBe(1500);
    expect(parseMillicores('0.0001', 'x')).toBe(1);
    expect(parseMillicores(0.25, 'x')).toBe(250);
    expect(parseMillicores('1e6', 'x')).toBe(MAX_MILLICORES);
  });

  test('out of range is refused with the limit', () => {
    expect(messageOf(() => parseMillicores('1e400', 'limits.cpu'))).toMatch(/^limits.cpu: "1e400" is out of range/);
    expect(messageOf(() => parseMillicores('2e6', 'limits.cpu'))).toBe('limits.cpu: "2e6" is out of range (allowed: a CPU quantity of at most 1000000 CPUs, 1000000000m)');
  });

  test('quota and shares follow the kubelet, shares clamped to cgroup v1\'s range', () => {
    expect(cpuQuotaUs(500)).toBe(50000);
    expect(cpuQuotaUs(1)).toBe(1000);
    expect(cpuShares(250)).toBe(256);
    expect(cpuShares(1)).toBe(2);
    expect(cpuShares(MAX_MILLICORES)).toBe(262144);
  });
});

describe('the downward API\'s resourceFieldRef, as the kubelet computes it', () => {
  test.each([
    // field, quantity, divisor, value: ceil(MilliValue / MilliValue) for cpu, ceil(Value / Value) otherwise
    ['limits.memory', '1Gi', '1Mi', '1024'], ['limits.memory', '1.5', '1', '2'], ['requests.cpu', '1500m', '1', '2'],
    ['limits.cpu', '250m', '1m', '250'], ['limits.cpu', '1500u', '1m', '2'], ['limits.cpu', '0.5', '1', '1'],
    ['limits.ephemeral-storage', '1G', '1M', '1000'], ['limits.memory', 536870912, '1Mi', '512'],
  ])('%s %p / %p is %p', (field, quantity, divisor, value) => {
    expect(resourceFieldValue(field, quantity, divisor, 'env X')).toBe(value);
  });

  test('a divisor of 0 counts as 1, as the kubelet reads it (was: "Infinity")', () => {
    expect(resourceFieldValue('limits.cpu', '1500m', '0', 'env X')).toBe('2');
    expect(resourceFieldValue('limits.memory', '64Mi', 0, 'env X')).toBe('67108864');
  });

  test('a memory divisor is whole bytes, as Value() rounds it (was: "1Ki" / "1m" = "1024000")', () => {
    expect(resourceFieldValue('limits.memory', '1Ki', '1m', 'env X')).toBe('1024');
  });

  test('exact beyond floating point: no 2^53 limit on the value a variable reports (was: refused as out of range)', () => {
    expect(resourceFieldValue('requests.memory', '9007199254740993', '1', 'env X')).toBe('9007199254740993');
  });

  test('what is not a quantity is refused with the field', () => {
    expect(messageOf(() => resourceFieldValue('limits.memory', '1Gi', '1e400', 'env X'))).toMatch(/^env X divisor: "1e400" is out of range: its exponent 400 is beyond ±200/);
    expect(messageOf(() => resourceFieldValue('limits.memory', 'lots', '1', 'env X'))).toBe('env X limits.memory: "lots" is not a Kubernetes quantity (examples: 64Mi, 1Gi, 500m, 2)');
    expect(messageOf(() => resourceFieldValue('limits.cpu', '1', '-1m', 'env X'))).toBe('env X divisor: "-1m" is negative; a quantity here must be at least 0');
  });
});

test('a manifest\'s limits.memory "1e400" stops the plan instead of reaching config.json as null', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { securityContext: { runAsUser: 1000 }, containers: [{ name: 'c', command: ['true'], resources: { limits: { memory: '1e400' } } }] },
  };
  expect(messageOf(() => buildRunPlan({
    docs: [pod as KubeObject], bundleDir: '/tmp/b', containerId: 'id', cgroupControllers: ['memory'], rootfs: { path: '/', hostRoot: true, entries: [] },
  }))).toBe('Pod/p, container c: limits.memory: "1e400" is out of range: its exponent 400 is beyond ±200 (allowed: a whole number of at most 9007199254740991)');
});

test('limits where 0 would mean "unlimited" to runsc or tmpfs refuse 0', () => {
  const pod = (resources: any, volume: any = { name: 'tmp', emptyDir: {} }): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: {
      securityContext: { runAsUser: 1000 }, volumes: [volume],
      containers: [{ name: 'c', command: ['true'], resources, volumeMounts: [{ name: volume.name, mountPath: '/tmp' }] }],
    },
  } as KubeObject);
  const plan = (doc: KubeObject) => buildRunPlan({ docs: [doc], bundleDir: '/tmp/b', containerId: 'id', cgroupControllers: ['memory'], rootfs: { path: '/', hostRoot: true, entries: [] } });
  expect(messageOf(() => plan(pod({ limits: { memory: '0' } })))).toBe('Pod/p, container c: limits.memory: "0" is out of range (allowed: a byte quantity from 1 to 9007199254740991 bytes, about 8Pi)');
  expect(messageOf(() => plan(pod({ limits: { 'ephemeral-storage': 0 } })))).toMatch(/limits.ephemeral-storage: 0 is out of range \(allowed: a byte quantity from 1 to/);
  expect(messageOf(() => plan(pod({}, { name: 'tmp', emptyDir: { sizeLimit: '0Mi' } })))).toBe('volume tmp sizeLimit: "0Mi" is out of range (allowed: a byte quantity from 1 to 9007199254740991 bytes, about 8Pi)');
});
