// Where a construct sits: the namespace a SandboxNamespace ancestor gives it, and the chart's.
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Marks a construct whose children live in its namespace (set by SandboxNamespace). */
export const NAMESPACE_SCOPE = Symbol.for('cdk8s-sandbox.namespace-scope');

/** The namespace of the nearest SandboxNamespace around `scope`, if any. */
export function namespaceFromScope(scope: IConstruct): string | undefined {
  // Nearest first, up to the root.
  for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
    const name = (s as any)[NAMESPACE_SCOPE];
    if (typeof name === 'string') return name;
  }
  return undefined;
}

/** The namespace objects under `scope` end up in: the given one, else the chart's. */
export function effectiveNamespace(scope: IConstruct, given: string | undefined): string | undefined {
  if (given) return given;
  try {
    return Chart.of(scope).namespace;
  } catch {
    return undefined;
  }
}
