// The one parser of the suppression annotation (src/profile/suppress.ts), which the audit and the synth guard
// share. Before it, the audit read `rule-id: reason` lines and the synth guard tested each line with
// startsWith('network-isolation:'): the guard took "network-isolation:" (no reason) as an opt-out the audit
// refused, and refused "network-isolation : reason", which the audit accepted. The audit's reading is kept:
// it is the one that gives every entry a rule and a reason, and reports what it does not accept.
import { Chart, Testing } from 'cdk8s';
import { SandboxedDeployment } from '../src';
import {
  KubeObject, SUPPRESSIBLE_RULES, SUPPRESSION_PATH, SUPPRESS_ANNOTATION, Unwaivable, suppressionsOf, unwaivablePartFinding,
} from '../src/profile';
import { thrown } from './helpers/errors';

const annotated = (value: unknown): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns', annotations: { [SUPPRESS_ANNOTATION]: value as string } } });
const read = (value: unknown, known?: ReadonlyMap<string, Unwaivable | undefined>) => {
  const { rules, findings } = suppressionsOf(annotated(value), known);
  return { rules: Object.fromEntries(rules), findings: findings.map((f) => [f.rule, f.message]) };
};

describe('valid suppressions: one "rule-id: reason" per line', () => {
  test('a rule and its reason', () => {
    expect(read('image-pinned: the vendor only publishes :latest')).toEqual({ rules: { 'image-pinned': 'the vendor only publishes :latest' }, findings: [] });
  });

  test('white space around the id and the reason, blank lines, # comments and CRLF are ignored', () => {
    expect(read('  # why these\r\n\r\n  image-pinned :   the vendor tags nothing  \r\nno-service-links:fixed by the platform\n')).toEqual({
      rules: { 'image-pinned': 'the vendor tags nothing', 'no-service-links': 'fixed by the platform' }, findings: [],
    });
  });

  test('the reason is everything after the first colon', () => {
    expect(read('image-pinned: see https://example.com/why: vendor').rules).toEqual({ 'image-pinned': 'see https://example.com/why: vendor' });
  });

  test('a rule named twice: the later line wins', () => {
    expect(read('image-pinned: first\nimage-pinned: second').rules).toEqual({ 'image-pinned': 'second' });
  });

  test('cross-resource and storage rules can be named too', () => {
    expect(read('network-isolation: the platform manages policies\nnamespace-quota: shared quota').rules)
      .toEqual({ 'network-isolation': 'the platform manages policies', 'namespace-quota': 'shared quota' });
  });

  test('a rule waivable in part is kept; its unwaivable findings are judged one by one', () => {
    expect(read('allowed-volume-types: a CSI driver').rules).toEqual({ 'allowed-volume-types': 'a CSI driver' });
    const unwaivable = SUPPRESSIBLE_RULES.get('allowed-volume-types') as Exclude<Unwaivable, 'all'>;
    const waived = { rule: 'allowed-volume-types', object: { kind: 'Deployment', name: 'd' }, path: 'spec.template.spec.volumes[0].hostPath', message: 'm', fix: 'f' };
    expect(unwaivablePartFinding(waived.object, 'allowed-volume-types', unwaivable, waived)).toEqual({
      rule: 'suppression-unwaivable', object: { kind: 'Deployment', name: 'd' }, path: SUPPRESSION_PATH,
      message: 'suppression of "allowed-volume-types" cannot waive hostPath volumes: spec.template.spec.volumes[0].hostPath is still reported',
      fix: 'Fix spec.template.spec.volumes[0].hostPath; the suppression still waives the rest of "allowed-volume-types", but no reason makes hostPath volumes safe in a sandbox.',
    });
  });

  test('no annotation: no suppressions, no findings', () => {
    expect(suppressionsOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toEqual({ rules: new Map(), findings: [] });
    expect(read(null)).toEqual({ rules: {}, findings: [] });
    expect(read('')).toEqual({ rules: {}, findings: [] });
  });
});

describe('suppressions that suppress nothing are findings', () => {
  test.each(['image-pinned', 'image-pinned:', 'image-pinned:   ', '  image-pinned  :  '])('no reason: %p', (value) => {
    expect(read(value)).toEqual({ rules: {}, findings: [['suppression-reason', 'suppression of "image-pinned" gives no reason, so it suppresses nothing']] });
  });

  test('an unknown rule (a typo)', () => {
    expect(read('image-pined: typo').findings).toEqual([['suppression-unknown-rule', 'suppression "image-pined: typo" names no rule of the profile, so it suppresses nothing']]);
  });

  test('several rules on one line, comma-separated, are one unknown id: one rule per line', () => {
    expect(read('image-pinned, no-service-links: both fixed elsewhere').findings)
      .toEqual([['suppression-unknown-rule', 'suppression "image-pinned, no-service-links: both fixed elsewhere" names no rule of the profile, so it suppresses nothing']]);
  });

  test('a rule a sandbox never waives, even with a reason', () => {
    expect(read('not-privileged: the debugger needs it')).toEqual({
      rules: {}, findings: [['suppression-unwaivable', 'suppression of "not-privileged" is refused: a sandbox can never waive not-privileged, so it suppresses nothing']],
    });
  });

  test('the findings name the object and the annotation, with a fix; the valid lines still count', () => {
    const { rules, findings } = suppressionsOf(annotated('image-pinned: vendor\nnope: x'));
    expect(Object.fromEntries(rules)).toEqual({ 'image-pinned': 'vendor' });
    expect(findings).toEqual([{
      rule: 'suppression-unknown-rule', object: { kind: 'Deployment', namespace: 'ns', name: 'd' }, path: 'metadata.annotations["cdk8s-sandbox.io/suppress"]',
      message: 'suppression "nope: x" names no rule of the profile, so it suppresses nothing',
      fix: 'Name one of the rule ids the audit reports (e.g. "image-pinned: <reason>"); one "rule-id: reason" per line.',
    }]);
  });

  test('the known rules can be given', () => {
    expect(read('custom: why\nimage-pinned: vendor', new Map([['custom', undefined]]))).toEqual({
      rules: { custom: 'why' }, findings: [['suppression-unknown-rule', 'suppression "image-pinned: vendor" names no rule of the profile, so it suppresses nothing']],
    });
  });
});

test('the suppressible rules are every rule of the profile, with what of each no suppression waives', () => {
  expect(SUPPRESSIBLE_RULES.get('not-privileged')).toBe('all');
  expect(SUPPRESSIBLE_RULES.get('no-host-storage')).toBe('all');
  expect(SUPPRESSIBLE_RULES.get('image-pinned')).toBeUndefined();
  expect(SUPPRESSIBLE_RULES.has('image-pinned')).toBe(true);
  expect(SUPPRESSIBLE_RULES.has('network-isolation')).toBe(true);
  expect(SUPPRESSIBLE_RULES.has('suppression-reason')).toBe(false);
});

describe('the synth guard reads a network-isolation opt-out with the same parser', () => {
  const synth = (annotation?: string, props: object = {}) => () => {
    const chart = new Chart(Testing.app(), 'c');
    const d = new SandboxedDeployment(chart, 'api', { image: 'app:1.0.0', ...props });
    if (annotation !== undefined) d.deployment.metadata.addAnnotation(SUPPRESS_ANNOTATION, annotation);
    return Testing.synth(chart);
  };

  test('networkPolicyManagedElsewhere writes a suppression both read as valid', () => {
    expect(synth(undefined, { networkPolicyManagedElsewhere: 'the platform team' })).not.toThrow();
  });

  test('"network-isolation : reason" opts out (was: refused at synth, though the audit accepted it)', () => {
    expect(synth('network-isolation : the platform team manages policies')).not.toThrow();
  });

  test('"network-isolation:" without a reason does not opt out (was: opted out, though the audit refused it)', () => {
    expect(thrown(synth('network-isolation:'))).toContain('[network-isolation]');
  });

  test('a comment does not opt out', () => {
    expect(thrown(synth('# network-isolation: someday'))).toContain('[network-isolation]');
  });
});
