// NetworkPolicy builders. A sandbox starts from deny-all, ingress and egress.
import { KubeObject } from '../profile';

/** A NetworkPolicy that selects exactly the pods with `selector` and allows them no traffic at all. */
export function buildDenyAllPolicy(metadata: { name: string; namespace?: string; labels?: { [key: string]: string } }, selector: { readonly [key: string]: string }): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata,
    spec: { podSelector: { matchLabels: { ...selector } }, policyTypes: ['Ingress', 'Egress'] },
  };
}
