// The example app `cdk8s synth` runs: the seed article's workloads, hardened. Output: dist/.
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import {
  CodeRunnerJob, DnsMode, FqdnProvider, Language, NetworkPeer, Probe, SandboxAdmissionPolicy, SandboxedDeployment, SandboxNamespace,
  SandboxNetworkPolicy, SandboxQueue,
} from '../src/index';

/** The only workload allowed to call the untrusted one. */
const CLIENT = { name: 'trusted-api', namespace: 'default', labels: { 'app.kubernetes.io/name': 'trusted-api' } };

/**
 * The seed article's workloads: the `sandbox-jobs` namespace, the untrusted Deployment (reachable on 8080
 * only from the trusted client, resolving cluster DNS), the code runner (no network at all), and a
 * trusted workload outside the sandbox.
 */
export class ExampleChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // Everything created inside the SandboxNamespace lands in it; its default policy denies all traffic.
    const sandboxJobs = new SandboxNamespace(this, 'sandbox-jobs');

    const untrusted = new SandboxedDeployment(sandboxJobs, 'untrusted-workload', {
      image: 'my-sandboxed-app:1.0.0',
      replicas: 3,
      ports: [{ number: 8080, name: 'http' }],
      resources: { cpuRequest: '500m', memoryRequest: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
      readiness: Probe.fromTcpSocket({ periodSeconds: 5 }),
      liveness: Probe.fromTcpSocket({ initialDelaySeconds: 10 }),
      service: true,
    });
    new SandboxNetworkPolicy(sandboxJobs, 'untrusted-workload-network', {
      selects: [untrusted],
      dns: DnsMode.CLUSTER,
      ingress: [{ peers: [NetworkPeer.pods(CLIENT.labels, CLIENT.namespace)], ports: [{ port: 8080 }] }],
    });

    // The seed article's code runner: one user submission, Python, 30 s soft timeout, 60 s hard deadline,
    // cleaned up 300 s after it finishes, with no network at all (the namespace's shared code-run deny-all
    // policy). The code travels in the pod, so nothing of the run outlives its Job.
    new CodeRunnerJob(sandboxJobs, 'user-code-run', {
      runId: 'user-code-run-12345',
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

    // A submission with a folder: pkg/greet.py is mounted at /workspace/pkg/greet.py, read-only.
    new CodeRunnerJob(sandboxJobs, 'package-code-run', {
      runId: 'user-code-run-12346',
      files: {
        'main.py': 'from pkg.greet import hello\n\nprint(hello("folders"))\n',
        'pkg/greet.py': 'def hello(what):\n    return f"hello from a submission with {what}"\n',
      },
    });

    // Bursts wait in a Kueue queue (created suspended, started when the namespace's quota allows); this run
    // may also fetch packages from the Python package index, by name (GKE Dataplane V2's FQDNNetworkPolicy).
    const queue = new SandboxQueue(sandboxJobs, 'code-runs');
    const queued = new CodeRunnerJob(sandboxJobs, 'queued-code-run', {
      runId: 'user-code-run-12347',
      code: 'import sys\n\nprint("a queued run on", sys.platform)\n',
      queueName: queue.queueName,
    });
    new SandboxNetworkPolicy(sandboxJobs, 'queued-code-run-package-index', {
      selects: [queued],
      dns: DnsMode.CLUSTER,
      egress: [{ peers: [NetworkPeer.fqdn('pypi.org'), NetworkPeer.fqdn('files.pythonhosted.org')], ports: [{ port: 443 }] }],
      fqdnProvider: FqdnProvider.GKE,
    });

    // The API server enforces the profile in every SandboxNamespace, whoever applies the objects; the
    // trusted workload below lives outside them, so the policy does not judge it.
    new SandboxAdmissionPolicy(this, 'admission-policy');

    this.addTrustedClient(untrusted);
  }

  /**
   * NOT SANDBOXED, on purpose: the article's "mixing" section. First-party, trusted code runs on the node's
   * default runtime (runc) in the default namespace; it is hardened in every other way, says so in its
   * suppression annotation, and may call the untrusted workload on 8080.
   */
  private addTrustedClient(untrusted: SandboxedDeployment): void {
    const why = 'runtime-class: trusted first-party code, deliberately not sandboxed (runs on runc)';
    new k8s.KubeDeployment(this, 'trusted-api', {
      metadata: { name: CLIENT.name, namespace: CLIENT.namespace, labels: CLIENT.labels, annotations: { 'cdk8s-sandbox.io/suppress': why } },
      spec: {
        replicas: 2,
        selector: { matchLabels: CLIENT.labels },
        template: {
          metadata: { labels: CLIENT.labels },
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
    new k8s.KubePodDisruptionBudget(this, 'trusted-api-pdb', {
      metadata: { name: CLIENT.name, namespace: CLIENT.namespace },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: CLIENT.labels } },
    });
    // Its own policy: serve 8080, call only the untrusted workload and cluster DNS.
    new k8s.KubeNetworkPolicy(this, 'trusted-api-network', {
      metadata: { name: CLIENT.name, namespace: CLIENT.namespace },
      spec: {
        podSelector: { matchLabels: CLIENT.labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ port: k8s.IntOrString.fromNumber(8080), protocol: 'TCP' }] }],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': untrusted.namespace! } }, podSelector: { matchLabels: { ...untrusted.selectorLabels } } }],
            ports: [{ port: k8s.IntOrString.fromNumber(8080), protocol: 'TCP' }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}

if (require.main === module) {
  const app = new App();
  new ExampleChart(app, 'sandbox-example');
  app.synth();
}
