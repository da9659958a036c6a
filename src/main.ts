// The example app `cdk8s synth` runs: the seed article's workloads, hardened. Output: dist/.
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import { CodeRunnerJob, Language, Probe, SandboxedDeployment, SUPPRESS_ANNOTATION } from './index';

/** The seed article's "untrusted-workload", sandboxed, beside a trusted workload that deliberately is not. */
export class ExampleChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    new SandboxedDeployment(this, 'untrusted-workload', {
      image: 'my-sandboxed-app:1.0.0',
      replicas: 3,
      ports: [{ number: 8080, name: 'http' }],
      resources: { cpuRequest: '500m', memoryRequest: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
      readiness: Probe.fromTcpSocket({ periodSeconds: 5 }),
      liveness: Probe.fromTcpSocket({ initialDelaySeconds: 10 }),
      service: true,
    });

    // The seed article's code runner: one user submission, Python, 30 s soft timeout, 60 s hard deadline,
    // cleaned up 300 s after it finishes, with no network at all.
    new CodeRunnerJob(this, 'user-code-run', {
      runId: 'user-code-run-12345',
      namespace: 'sandbox-jobs',
      language: Language.PYTHON,
      code: [
        'import platform',
        'import sys',
        '',
        'print("hello from the sandbox", platform.python_version())',
        'print("sum of squares below 1000:", sum(i * i for i in range(1000)))',
        'sys.exit(0)',
        '',
      ].join('\n'),
      timeoutSeconds: 30,
      deadlineSeconds: 60,
      ttlSecondsAfterFinished: 300,
    });

    // NOT SANDBOXED, on purpose: the article's "mixing" section. First-party, trusted code runs on the
    // node's default runtime (runc). It is hardened in every other way, and says so in its annotation.
    new k8s.KubeDeployment(this, 'trusted-api', {
      metadata: {
        name: 'trusted-api',
        labels: { 'app.kubernetes.io/name': 'trusted-api' },
        annotations: { [SUPPRESS_ANNOTATION]: 'runtime-class: trusted first-party code, deliberately not sandboxed (runs on runc)' },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'trusted-api' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'trusted-api' } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'api',
              image: 'my-api:1.0.0',
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: {
                requests: { 'cpu': k8s.Quantity.fromString('250m'), 'memory': k8s.Quantity.fromString('256Mi'), 'ephemeral-storage': k8s.Quantity.fromString('64Mi') },
                limits: { 'cpu': k8s.Quantity.fromString('500m'), 'memory': k8s.Quantity.fromString('512Mi'), 'ephemeral-storage': k8s.Quantity.fromString('256Mi') },
              },
              securityContext: {
                runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001,
                allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
              },
            }],
          },
        },
      },
    });
  }
}

if (require.main === module) {
  const app = new App();
  new ExampleChart(app, 'sandbox-example');
  app.synth();
}
