// Small validators shared by every builder; each throws a SandboxValidationError naming the field.
import { BUILDER_QUANTITY_OPTIONS, SANDBOX_DEFAULTS, compareQuantities, formatNanos, imagePinProblem, validateQuantity } from '../profile';

export { compareQuantities };
import { SandboxValidationError, given } from './errors';

/** Where an error happened and under which prop prefix. */
export interface Site {
  /** Construct path or render id. */
  readonly where: string;
  /** Prop path prefix, e.g. `sidecars[0]`; empty at the top. */
  readonly prefix: string;
}

/** The dotted prop path of a field under a site. */
export function field(site: Site, name: string): string {
  return site.prefix ? `${site.prefix}.${name}` : name;
}

/** A site one level down. */
export function child(site: Site, name: string): Site {
  return { where: site.where, prefix: field(site, name) };
}

/** Throws the error for one bad field. */
export function fail(site: Site, name: string, value: unknown, allowed: string): never {
  throw new SandboxValidationError(site.where, field(site, name), given(value), allowed);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether a string is an RFC 1123 DNS label (Kubernetes names of Services, Namespaces, containers...). */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS_LABEL.test(value);
}

/** Checks an RFC 1123 DNS label. */
export function checkDnsLabel(site: Site, name: string, value: unknown, maxLength = 63): string {
  if (!isDnsLabel(value) || value.length > maxLength) {
    fail(site, name, value, `must be a DNS label: at most ${maxLength} lowercase letters, digits and '-', starting and ending with a letter or digit`);
  }
  return value;
}

/** Checks an RFC 1123 DNS subdomain (RuntimeClass, ConfigMap and Secret names). */
export function checkDnsSubdomain(site: Site, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    fail(site, name, value, 'must be a DNS subdomain: at most 253 lowercase letters, digits, \'-\' and \'.\'');
  }
  return value;
}

/** A label (or annotation, or taint) key: an optional DNS-subdomain prefix of at most 253 characters and '/', then a name of at most 63. */
export const LABEL_KEY = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label (or taint) value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Checks a label key (node labels, taint keys). */
export function checkLabelKey(site: Site, name: string, value: unknown): string {
  const prefix = typeof value === 'string' ? LABEL_KEY.exec(value)?.[1] : undefined;
  if (typeof value !== 'string' || !LABEL_KEY.test(value) || (prefix !== undefined && prefix.length > 253)) {
    fail(site, name, value, 'must be a label key: an optional DNS-subdomain prefix and \'/\', then a name of at most 63 letters, digits, \'-\', \'_\' and \'.\' (e.g. "sandbox.gke.io/runtime")');
  }
  return value;
}

/** Checks a label value (node labels, taint values). */
export function checkLabelValue(site: Site, name: string, value: unknown): string {
  if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
    fail(site, name, value, 'must be a label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit');
  }
  return value;
}

/** Turns a construct id into a DNS label, or undefined when it cannot be one. */
export function dnsLabelFromId(id: string): string | undefined {
  const label = id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return isDnsLabel(label) ? label : undefined;
}

/** Checks an integer within bounds. */
export function checkInteger(site: Site, name: string, value: unknown, min: number, max: number, what = 'an integer'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(site, name, value, `must be ${what} from ${min} to ${max}`);
  }
  return value;
}

/** Checks a UID or GID: the profile wants numeric ids of 10000 or more (never 0, root). */
export function checkHighId(site: Site, name: string, value: unknown): number {
  if (value === 0) fail(site, name, value, `UID/GID 0 is root, which sandboxed containers never run as; use an id >= ${SANDBOX_DEFAULTS.minimumId} (default ${SANDBOX_DEFAULTS.runAsUser})`);
  return checkInteger(site, name, value, SANDBOX_DEFAULTS.minimumId, 2147483647, `a numeric id (kube-score and kubesec want ids >= ${SANDBOX_DEFAULTS.minimumId})`);
}

/** A repository path component of an image reference (the distribution reference grammar): lowercase only. */
const IMAGE_PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A registry host, with an optional port. */
const IMAGE_DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;

/** Why an image's repository is not a valid reference (`Nginx:1.25`: uppercase), or undefined. */
function imageRepositoryProblem(image: string): string | undefined {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const components = repository.split('/');
  // As the container runtimes read it: a first component with '.', ':' or uppercase, or "localhost", is a registry.
  const first = components[0];
  const hasDomain = components.length > 1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain && !IMAGE_DOMAIN.test(first)) return `registry "${first}" is not a host name (with an optional port)`;
  const bad = components.slice(hasDomain ? 1 : 0).find((c) => !IMAGE_PATH_COMPONENT.test(c));
  if (bad !== undefined) return `repository component "${bad}" must be lowercase letters and digits, separated by '.', '_', '__' or '-'`;
  return undefined;
}

/** Checks that an image is a valid reference pinned to a tag other than latest or to a digest. */
export function checkImage(site: Site, name: string, value: unknown): string {
  const problem = imagePinProblem(value);
  if (problem || typeof value !== 'string') {
    fail(site, name, value, 'must name a version tag other than latest (repo/image:1.2.3) or a digest (repo/image@sha256:<64 hex>)');
  }
  if (/\s/.test(value)) fail(site, name, value, 'must not contain white space');
  const repositoryProblem = imageRepositoryProblem(value);
  if (repositoryProblem) fail(site, name, value, `is not a valid image reference: ${repositoryProblem} (e.g. "nginx:1.25.3", "registry.example.com/team/app:1.2.3")`);
  return value;
}

/** Checks an absolute path. */
export function checkAbsolutePath(site: Site, name: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.includes('\0') || value.split('/').includes('..')) {
    fail(site, name, value, 'must be an absolute path without ".." segments');
  }
  return value;
}

/** Checks a positive quantity; an empty or zero value reads as "no limit" and is refused. */
export function checkQuantity(site: Site, name: string, value: unknown, example: string): string {
  return checkQuantityOf(site, name, value, example, false);
}

/** Checks a positive quantity of bytes (memory, ephemeral storage, sizes): a whole number of bytes, no milli-units. */
export function checkByteQuantity(site: Site, name: string, value: unknown, example: string): string {
  return checkQuantityOf(site, name, value, example, true);
}

/** The profile's quantity grammar with the builders' stricter choices (no signs, no n/u, no trailing dot). */
function checkQuantityOf(site: Site, name: string, value: unknown, example: string, wholeBytes: boolean): string {
  // A platform renders the same few quantities ("250m", "512Mi") for every submission: remember the accepted ones.
  const key = typeof value === 'string' ? `${wholeBytes ? 'b' : 'q'}${value}` : undefined;
  if (key !== undefined && ACCEPTED_QUANTITIES.has(key)) return value as string;
  const { problem, quantity } = validateQuantity(value, { ...BUILDER_QUANTITY_OPTIONS, wholeBytes });
  if (problem === 'not-whole-bytes') {
    fail(site, name, value, `must be a whole number of bytes (${JSON.stringify(value)} is ${formatNanos(quantity!.nanos)} bytes; "m" means milli, not mega): use a suffix such as Mi or M, e.g. "${example}"`);
  }
  if (problem !== undefined) {
    const why = value === '' || problem === 'not-positive' ? 'removing a request or limit is refused: every sandboxed container is bounded' : 'must be a Kubernetes quantity';
    fail(site, name, value, `${why}; give a positive quantity such as "${example}"`);
  }
  if (key !== undefined && ACCEPTED_QUANTITIES.size < MAX_ACCEPTED_QUANTITIES) ACCEPTED_QUANTITIES.add(key);
  return value as string;
}

/** Quantities checkQuantityOf accepted (a pure function of the text), at most MAX_ACCEPTED_QUANTITIES of them. */
const ACCEPTED_QUANTITIES = new Set<string>();
const MAX_ACCEPTED_QUANTITIES = 1024;

/** Checks a positive whole number of seconds. */
export function checkSeconds(site: Site, name: string, value: unknown, max = 31536000): number {
  return checkInteger(site, name, value, 1, max, 'a whole number of seconds');
}

/** The entries of `obj` whose value is defined, so that spreading them over defaults keeps the defaults. */
export function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Checks that a value is one of an enum's values (a jsii enum's strings), naming the members that are allowed. */
export function checkEnum<T extends string>(site: Site, name: string, value: unknown, values: { readonly [member: string]: T }, enumName: string): T {
  const allowed = Object.values(values);
  if (!allowed.includes(value as T)) {
    fail(site, name, value, `allowed: ${Object.entries(values).map(([member, v]) => `${enumName}.${member} ("${v}")`).join(', ')}`);
  }
  return value as T;
}

/** Checks that a value is a plain object (a map of props), not a list or a scalar; an empty `name` names the site itself. */
export function checkMapping(site: Site, name: string, value: unknown, what: string): { [key: string]: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (name === '') fail({ where: site.where, prefix: '' }, site.prefix, value, `must be ${what}`);
    fail(site, name, value, `must be ${what}`);
  }
  return value as { [key: string]: unknown };
}

/** Checks that a value is a list. */
export function checkList(site: Site, name: string, value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(site, name, value, `must be a list of ${what}`);
  return value;
}
