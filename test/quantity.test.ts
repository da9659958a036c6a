// The one quantity grammar (src/profile/quantity.ts): k8s.io/apimachinery's resource.ParseQuantity, exact
// in nano-units, with the builders' stricter choices as options. Before it there were three grammars (the
// builders' float regex, the runner's exact parser, the rules' "leading digit" test) that disagreed; each
// disagreement is pinned below with the value each consumer reads now and what it read before.
import { Chart, Testing } from 'cdk8s';
import { SandboxNamespace, SandboxedDeployment } from '../src';
import {
  BUILDER_QUANTITY_OPTIONS, KubeObject, MAX_QUANTITY_LENGTH, QuantityOptions, checkNamespaceBounds, checkObject, compareQuantities, formatNanos,
  isPositiveQuantity, parseQuantity, quantityMilliValue, quantityValue, validateQuantity,
} from '../src/profile';
import { thrown } from './helpers/errors';

const NANO = 1_000_000_000n;
const nanosOf = (value: unknown) => parseQuantity(value)?.nanos;

describe('the grammar: <signedNumber><suffix>, as ParseQuantity reads it', () => {
  test.each([
    ['0', 0n], ['1', NANO], ['+1', NANO], ['-1', -NANO], ['1.', NANO], ['.5', NANO / 2n], ['1.5', 3n * NANO / 2n], ['00012', 12n * NANO], ['1.000', NANO],
    ['500m', NANO / 2n], ['0.1m', 100_000n], ['100n', 100n], ['1u', 1000n], ['1k', 1000n * NANO], ['2M', 2n * 10n ** 15n], ['1E', 10n ** 27n],
    ['.5Gi', 2n ** 29n * NANO], ['1.Mi', 2n ** 20n * NANO], ['1.5Ki', 1536n * NANO], ['0.1Mi', 104_857_600_000_000n], ['1Ei', 2n ** 60n * NANO],
    ['1e3', 1000n * NANO], ['1E3', 1000n * NANO], ['1e+3', 1000n * NANO], ['1e-3', NANO / 1000n], ['1e-0', NANO], ['1.e3', 1000n * NANO], ['-1e-9', -1n],
    ['1e200', 10n ** 209n],
  ])('%p is %p nano-units, exactly', (text, nanos) => {
    expect(validateQuantity(text)).toEqual({ quantity: { nanos, exact: true, suffix: expect.any(String) }, text });
  });

  test('the suffix is kept as written', () => {
    expect(['1Mi', '1m', '1', '1e3', '1E-3', '1E'].map((t) => parseQuantity(t)!.suffix)).toEqual(['Mi', 'm', '', 'e3', 'E-3', 'E']);
  });

  test('a value finer than a nano-unit is rounded away from zero, a binarySI value capped at 2^63-1, as ParseQuantity does', () => {
    expect(parseQuantity('0.1n')).toEqual({ nanos: 1n, exact: false, suffix: 'n' });
    expect(parseQuantity('-0.1n')).toEqual({ nanos: -1n, exact: false, suffix: 'n' });
    expect(parseQuantity('1.5e-9')).toEqual({ nanos: 2n, exact: false, suffix: 'e-9' });
    expect(parseQuantity('1e-12')).toEqual({ nanos: 1n, exact: false, suffix: 'e-12' });
    const cap = (2n ** 63n - 1n) * NANO;
    expect(parseQuantity('8Ei')).toEqual({ nanos: cap, exact: false, suffix: 'Ei' });
    expect(parseQuantity('16Ei')).toEqual({ nanos: cap, exact: false, suffix: 'Ei' });
    expect(nanosOf('-16Ei')).toBe(-cap);
    expect(parseQuantity('7Ei')!.exact).toBe(true);
    expect(nanosOf('100E')).toBe(10n ** 29n); // decimal quantities are not capped
  });

  test('white space around the text is trimmed as Go\'s strings.TrimSpace does before the API server parses it', () => {
    expect(nanosOf(' 1Gi\n')).toBe(2n ** 30n * NANO);
    expect(nanosOf('\u00a01\u3000')).toBe(NANO);
    expect(nanosOf('\ufeff1')).toBeUndefined(); // a BOM is no space to Go
    expect(nanosOf('1 Gi')).toBeUndefined();
  });

  test('a YAML number is read as the JSON text kubectl sends', () => {
    expect([1024, 0.5, 1e21, -1, 0].map(nanosOf)).toEqual([1024n * NANO, NANO / 2n, 10n ** 30n, -NANO, 0n]);
    expect(validateQuantity(NaN).problem).toBe('not-finite');
    expect(validateQuantity(Infinity).problem).toBe('not-finite');
  });

  test.each([
    // ParseQuantity refuses these too
    '', '1e', '1E+', '1ee3', '1e3.5', '1.2.3', '1k3', '1mi', '1Mib', '1GB', '1Kie3', '1ne3', '+-1', '0x10', '1_000', 'Infinity', 'lots',
    // ParseQuantity reads these as 0 (kubernetes/apimachinery#165): the grammar wants a digit
    'Mi', 'm', '-', '+', '.', '.e3', '+.',
  ])('%p is not a quantity', (text) => {
    expect(validateQuantity(text).problem).toBe('not-a-quantity');
  });

  test('what is neither text nor a number is not a quantity', () => {
    expect([{}, null, undefined, true, ['1']].map((v) => validateQuantity(v).problem)).toEqual(Array(5).fill('not-a-quantity'));
  });

  test('limits of its own: the length, and a decimal exponent (ParseQuantity truncates exponents to 32 bits)', () => {
    expect(validateQuantity('1'.repeat(MAX_QUANTITY_LENGTH)).problem).toBeUndefined();
    expect(validateQuantity('1'.repeat(MAX_QUANTITY_LENGTH + 1)).problem).toBe('too-long');
    expect(validateQuantity('1e201')).toEqual({ problem: 'exponent-out-of-range', text: '1e201', detail: 'its exponent 201 is beyond ±200' });
    expect(validateQuantity('1e-201').problem).toBe('exponent-out-of-range');
  });
});

describe('the stricter choices are options of the one grammar', () => {
  const builder = (value: unknown, extra: QuantityOptions = {}) => validateQuantity(value, { ...BUILDER_QUANTITY_OPTIONS, ...extra });

  test.each([
    ['+1', 'a sign'], ['-1Gi', 'a sign'], ['1e-3', 'a sign'], ['1e+3', 'a sign'], ['1.', 'a dot without digits after it'], ['1.Mi', 'a dot without digits after it'],
    ['100n', 'the suffix "n"'], ['1u', 'the suffix "u"'], [' 1Gi', 'white space around it'], [1024, 'a number rather than a string'],
  ])('the builders refuse %p, which Kubernetes reads (%s)', (value, detail) => {
    expect(builder(value)).toMatchObject({ problem: 'refused-form', detail });
    expect(validateQuantity(value).problem).toBeUndefined();
  });

  test('the builders accept the rest of the grammar, positive', () => {
    expect(['1e3', '1E', '.5', '1.5Gi', '500m', '2'].map((v) => builder(v).problem)).toEqual(Array(6).fill(undefined));
    expect(['0', '0m', '0Gi'].map((v) => builder(v).problem)).toEqual(Array(3).fill('not-positive'));
  });

  test('wholeBytes: a whole number of bytes, without the milli suffix', () => {
    expect(['512m', '1000m', '0.5', '0.1Mi'].map((v) => builder(v, { wholeBytes: true }).problem)).toEqual(Array(4).fill('not-whole-bytes'));
    expect(['1.5Ki', '2.01k', '64Mi', '1e3'].map((v) => builder(v, { wholeBytes: true }).problem)).toEqual(Array(4).fill(undefined));
  });
});

describe('helpers', () => {
  test('isPositiveQuantity: above zero; zero, empty and malformed bound nothing', () => {
    expect(['1', '0.1n', '1e-3', '+1', ' 1Gi', 0.5].map(isPositiveQuantity)).toEqual(Array(6).fill(true));
    expect(['0', '0m', '-1', '', 'Mi', '1 GB', '5lots', 0, undefined].map(isPositiveQuantity)).toEqual(Array(9).fill(false));
  });

  test('compareQuantities is exact', () => {
    expect(compareQuantities('700m', '0.7')).toBe(0);
    expect(compareQuantities('2300m', '2.3')).toBe(0);
    expect(compareQuantities('1E', '512Mi')).toBe(1);
    expect(compareQuantities('1Ei', '1E')).toBe(1);
    expect(compareQuantities('1023Mi', '1Gi')).toBe(-1);
    expect(compareQuantities('16Ei', '9Ei')).toBe(0); // both capped, as Kubernetes caps them
    expect(compareQuantities('lots', '1')).toBeUndefined();
  });

  test('Value and MilliValue round away from zero, as Kubernetes does', () => {
    expect(quantityValue(parseQuantity('0.1Mi')!)).toBe(104858n);
    expect(quantityValue(parseQuantity('100m')!)).toBe(1n);
    expect(quantityValue(parseQuantity('-0.5')!)).toBe(-1n);
    expect(quantityMilliValue(parseQuantity('0.0001')!)).toBe(1n);
    expect(quantityMilliValue(parseQuantity('1.5')!)).toBe(1500n);
    expect(quantityMilliValue(parseQuantity('100n')!)).toBe(1n);
  });

  test('formatNanos writes a decimal number', () => {
    expect([512_000_000n, 1_500_000_000n, 104_857_600_000_000n, 0n, -1_500_000_000n].map((n) => formatNanos(n))).toEqual(['0.512', '1.5', '104857.6', '0', '-1.5']);
    expect([1_234_567n, 1_999_500_000n, 1_400_000_000n].map((n) => formatNanos(n, 3))).toEqual(['0.001', '2', '1.4']);
  });
});

describe('where the old grammars disagreed: what each consumer reads now (was: ...)', () => {
  const deployment = (resources: object) => () => new SandboxedDeployment(new Chart(Testing.app(), 'c'), 'api', { image: 'app:1.0.0', networkPolicyManagedElsewhere: 'not under test', resources });
  const limitsOf = (resources: object) => deployment(resources)().deployment.toJson().spec.template.spec.containers[0].resources;

  describe('the builders (their float regex: "700m" was 0.7000000000000001, "1E" was 1, "1Ei" NaN)', () => {
    test('cpuRequest "700m" with cpuLimit "0.7" is accepted (was: refused, "must not exceed cpuLimit (0.7)")', () => {
      expect(limitsOf({ cpuRequest: '700m', cpuLimit: '0.7' })).toMatchObject({ requests: { cpu: '700m' }, limits: { cpu: '0.7' } });
    });

    test('memoryRequest "2.01k" is 2010 bytes (was: refused, "is 2009.9999999999998 bytes")', () => {
      expect(limitsOf({ memoryRequest: '2.01k' })).toMatchObject({ requests: { memory: '2.01k' } });
    });

    test('memoryLimit "1E" is 10^18 bytes, above the default request (was: 1 byte, so "memoryRequest ... must not exceed memoryLimit (1E)")', () => {
      expect(limitsOf({ memoryLimit: '1E' })).toMatchObject({ limits: { memory: '1E' } });
    });

    test('memoryLimit "1Ei" is 2^60 bytes (was: refused, \'"1Ei" is NaN bytes\')', () => {
      expect(limitsOf({ memoryLimit: '1Ei' })).toMatchObject({ limits: { memory: '1Ei' } });
    });

    test('a LimitRange default of "2Ei" above maxMemory "1Ei" is refused for that (was: refused, \'"2Ei" is NaN bytes\')', () => {
      expect(thrown(() => new SandboxNamespace(new Chart(Testing.app(), 'c'), 'ns', { limits: { maxMemory: '1Ei', defaultMemoryLimit: '2Ei' } })))
        .toBe('c/ns: limits.defaultMemoryLimit is "2Ei"; must not exceed maxMemory (1Ei)');
    });

    test('cpuLimit "1e400" or 101 digits is refused, beyond the grammar\'s limits (was: accepted, as Infinity and 1.1e100)', () => {
      expect(thrown(deployment({ cpuLimit: '1e400' }))).toBe('c/api: resources.cpuLimit is "1e400"; must be a Kubernetes quantity; give a positive quantity such as "500m"');
      expect(thrown(deployment({ cpuLimit: '1'.repeat(101) }))).toContain('must be a Kubernetes quantity');
    });

    test.each(['1e-3', '100n', '+1', '1.', ' 1'])('cpuLimit %p stays refused: an explicit option now, no second grammar', (cpuLimit) => {
      expect(thrown(deployment({ cpuLimit }))).toBe(`c/api: resources.cpuLimit is ${JSON.stringify(cpuLimit)}; must be a Kubernetes quantity; give a positive quantity such as "500m"`);
    });
  });

  describe('the rules (their test: a non-zero digit before anything else)', () => {
    const pod = (limits: object): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'app:1.0.0', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi', ...limits } } }] },
    });
    const limitFindings = (limits: object) => checkObject(pod(limits)).filter((f) => f.rule === 'resource-limits' || f.rule === 'ephemeral-storage-limit').map((f) => f.message);

    test('limits.memory " 1Gi" bounds the container: the API server trims it (was: "does not set limits.memory")', () => {
      expect(limitFindings({ memory: ' 1Gi' })).toEqual([]);
    });

    test.each(['1 GB', '5lots'])('limits.memory %p bounds nothing: it is no quantity (was: no finding)', (memory) => {
      expect(limitFindings({ memory })).toEqual(['container "c" does not set limits.memory']);
    });

    test('ephemeral-storage "0.1n" still bounds (Kubernetes reads 1n), "0e5" still does not', () => {
      expect(limitFindings({ 'ephemeral-storage': '0.1n' })).toEqual([]);
      expect(limitFindings({ 'ephemeral-storage': '0e5' })).toEqual(['container "c" has no ephemeral-storage limit']);
    });
  });

  describe('the namespace bounds (they used the builders\' grammar on manifests)', () => {
    const set = (item: object, resources: object): KubeObject[] => [
      { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'ns' }, spec: { limits: [{ type: 'Container', ...item }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'app:1.0.0', resources }] } },
    ];
    const messages = (item: object, resources: object) => checkNamespaceBounds(set(item, resources)).map((f) => f.message);

    test('limits.cpu "700m" is within max "0.7" (was: "above the max 0.7")', () => {
      expect(messages({ max: { cpu: '0.7' } }, { limits: { cpu: '700m' }, requests: { cpu: '700m' } })).toEqual([]);
    });

    test('limits.memory "512Mi" is within max "1E" (was: "above the max 1E", 1E read as 1)', () => {
      expect(messages({ max: { memory: '1E' } }, { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } })).toEqual([]);
    });

    test('limits.cpu "+3" is above max "2" (was: no finding, "+3" unread)', () => {
      expect(messages({ max: { cpu: '2' } }, { limits: { cpu: '+3' }, requests: { cpu: '1' } }))
        .toEqual(['container "c" limits cpu +3, above the max 2 of LimitRange "lr" in namespace "ns": the API server refuses its pods']);
    });

    test('requests.cpu "1e-4" is below min "1m" (was: no finding, "1e-4" unread)', () => {
      expect(messages({ min: { cpu: '1m' } }, { requests: { cpu: '1e-4' } }))
        .toEqual(['container "c" requests cpu 1e-4, below the min 1m of LimitRange "lr" in namespace "ns": the API server refuses its pods']);
    });
  });
});
