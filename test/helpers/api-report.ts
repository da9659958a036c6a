// The public API as text: every symbol each package entry exports, with its members' types, for
// api/public-api.txt (reviewed on change); and the types public members use that no entry exports.
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

/** The package's entries: what package.json's `exports` maps to, by the name users import. */
export const API_ENTRIES: { readonly name: string; readonly file: string }[] = [
  { name: 'cdk8s-sandbox', file: 'src/index.ts' },
  { name: 'cdk8s-sandbox/audit', file: 'src/audit/index.ts' },
  { name: 'cdk8s-sandbox/runner', file: 'src/runner/index.ts' },
];

export interface ApiReport {
  /** The report's text. */
  readonly text: string;
  /** `entry: symbol.member uses Type, which no entry exports`. */
  readonly unexportedTypes: string[];
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'other';
}

function isPublicMember(symbol: ts.Symbol): boolean {
  const decl = symbol.declarations?.[0];
  if (!decl) return false;
  const mods = ts.canHaveModifiers(decl) ? ts.getModifiers(decl) ?? [] : [];
  return !mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) && !symbol.name.startsWith('#');
}

/** One member as a line: `readonly name?: Type`, `name(params): Return`, or `NAME = value` for an enum. */
function describeMember(checker: ts.TypeChecker, kind: string, name: string, m: ts.Symbol, d: ts.Declaration): string {
  const typeText = (t: ts.Type): string => checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation);
  if (kind === 'enum') return `${name} = ${JSON.stringify((checker.getConstantValue(d as ts.EnumMember)))}`;
  if (ts.isMethodDeclaration(d) || ts.isMethodSignature(d) || ts.isConstructorDeclaration(d)) {
    const type = checker.getTypeOfSymbolAtLocation(m, d);
    const signatures = ts.isConstructorDeclaration(d) ? [checker.getSignatureFromDeclaration(d)!] : type.getCallSignatures();
    return signatures.map((sig) => `${name}${checker.signatureToString(sig, undefined, ts.TypeFormatFlags.NoTruncation)}`).join('; ');
  }
  const mods = ts.canHaveModifiers(d) ? ts.getModifiers(d) ?? [] : [];
  const readonly = mods.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword) || (ts.isGetAccessorDeclaration(d) && !m.declarations!.some(ts.isSetAccessorDeclaration));
  const optional = m.flags & ts.SymbolFlags.Optional ? '?' : '';
  return `${readonly ? 'readonly ' : ''}${name}${optional}: ${typeText(checker.getTypeOfSymbolAtLocation(m, d)).replace(/ \| undefined$/, '')}`;
}

/** Builds the report from the sources (no emit). */
export function apiReport(): ApiReport {
  const program = ts.createProgram(API_ENTRIES.map((e) => path.join(ROOT, e.file)), {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, esModuleInterop: true, skipLibCheck: true, types: ['node'],
  });
  const checker = program.getTypeChecker();
  const exported = new Set<ts.Symbol>();
  const entries = API_ENTRIES.map((entry) => {
    const source = program.getSourceFile(path.join(ROOT, entry.file))!;
    const symbols = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)
      .map((s) => ({ name: s.name, target: s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s }))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const s of symbols) exported.add(s.target);
    return { entry, symbols };
  });

  const lines: string[] = [];
  const unexportedTypes: string[] = [];
  /** Records each type a public member's declared type names that is declared in src/ and exported by no entry. */
  const checkReferences = (where: string, node: ts.Node | undefined): void => {
    if (!node) return;
    // A function's signature only: its parameters and return type, not its body.
    if (ts.isFunctionLike(node)) {
      node.parameters.forEach((p) => checkReferences(where, p.type));
      checkReferences(where, node.type);
      return;
    }
    const visit = (n: ts.Node): void => {
      if (ts.isTypeReferenceNode(n) || ts.isExpressionWithTypeArguments(n)) {
        const at = ts.isTypeReferenceNode(n) ? n.typeName : n.expression;
        let s = checker.getSymbolAtLocation(at);
        if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
        const decl = s?.declarations?.[0];
        if (s && decl && decl.getSourceFile().fileName.startsWith(path.join(ROOT, 'src')) && !(s.flags & ts.SymbolFlags.TypeParameter) && !exported.has(s)) {
          unexportedTypes.push(`${where} uses ${s.name}, which no entry exports`);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
  };

  for (const { entry, symbols } of entries) {
    lines.push(`## ${entry.name}`, '');
    for (const { name, target } of symbols) {
      const kind = kindOf(target);
      const decl = target.declarations?.[0];
      if (kind === 'function' || kind === 'const') {
        const type = checker.typeToString(checker.getTypeOfSymbol(target), undefined, ts.TypeFormatFlags.NoTruncation);
        lines.push(`${kind} ${name}: ${type}`);
        if (decl && (ts.isFunctionDeclaration(decl) || ts.isVariableDeclaration(decl))) {
          checkReferences(`${entry.name}: ${name}`, ts.isFunctionDeclaration(decl) ? decl : decl.type);
        }
        continue;
      }
      if (kind === 'type') {
        lines.push(`type ${name} = ${decl && ts.isTypeAliasDeclaration(decl) ? decl.type.getText() : '?'}`);
        if (decl && ts.isTypeAliasDeclaration(decl)) checkReferences(`${entry.name}: ${name}`, decl.type);
        continue;
      }
      const heritage = decl && (ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) ? decl.heritageClauses?.map((h) => h.getText()).join(' ') : undefined;
      lines.push(`${kind} ${name}${heritage ? ` ${heritage}` : ''}`);
      if (decl && (ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl))) decl.heritageClauses?.forEach((h) => checkReferences(`${entry.name}: ${name}`, h));
      const members: ts.Symbol[] = [];
      if (kind === 'class') {
        members.push(...checker.getPropertiesOfType(checker.getTypeOfSymbol(target)).filter((m) => m.name !== 'prototype').map((m) => m));
        members.push(...checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target)));
        const ctor = target.members?.get('__constructor' as ts.__String);
        if (ctor) members.push(ctor);
      } else if (kind === 'interface') {
        members.push(...checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target)));
      } else if (kind === 'enum') {
        target.exports?.forEach((m) => members.push(m));
      }
      const isStatic = (m: ts.Symbol): boolean => {
        const d = m.declarations?.[0];
        return !!d && ts.canHaveModifiers(d) && (ts.getModifiers(d) ?? []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
      };
      for (const m of members.filter(isPublicMember)) {
        const d = m.declarations![0];
        // Members inherited from outside src/ (Construct's node, Error's message) are the base class's API.
        if (!d.getSourceFile().fileName.startsWith(path.join(ROOT, 'src'))) continue;
        const memberName = m.name === '__constructor' ? 'constructor' : m.name;
        if (memberName.startsWith('_')) continue; // internal by jsii's convention
        lines.push(`  ${isStatic(m) ? 'static ' : ''}${describeMember(checker, kind, memberName, m, d)}`);
        checkReferences(`${entry.name}: ${name}.${memberName}`, ts.isMethodDeclaration(d) || ts.isConstructorDeclaration(d) || ts.isMethodSignature(d) || ts.isGetAccessorDeclaration(d)
          ? d : (d as ts.PropertyDeclaration).type);
      }
    }
    lines.push('');
  }
  return { text: `${lines.join('\n').trimEnd()}\n`, unexportedTypes: [...new Set(unexportedTypes)] };
}
