#!/usr/bin/env node
// Validates rendered Kubernetes manifests offline:
//  1. schema: every object against its kubernetes-models / @kubernetes-models/istio JSON schema
//     (types, formats, required fields, enums);
//  2. strict fields: every key must exist in the object's TypeScript model (the schemas above do
//     not reject unknown fields, `kubectl apply --validate=strict` would), using the compiler API;
//  3. known kinds only (an unknown apiVersion/kind is an error).
//
//   node tools/chart/validate-manifests.mjs a.yaml b.yaml ...   → JSON report on stdout
//   (exit 0 always when it ran; the report lists {file, index, kind, name, errors[]} per object)
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));

/** apiVersion + kind → module specifier of its model */
export function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group.endsWith('.istio.io')) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
  return group
    ? `kubernetes-models/${group}/${version}/${kind}`
    : `kubernetes-models/${version}/${kind}`;
}

function resolvable(spec) {
  const [pkgName, rest] = spec.startsWith('@')
    ? [spec.split('/').slice(0, 2).join('/'), spec.split('/').slice(2).join('/')]
    : [spec.split('/')[0], spec.split('/').slice(1).join('/')];
  const pkgDir = path.dirname(require.resolve(`${pkgName}/package.json`));
  return existsSync(path.join(pkgDir, `${rest}.js`));
}

function strictChecker(specs) {
  const virtual = path.join(root, '.ordermesh-manifest-types.mts');
  const lines = specs.map(
    ({ spec, kind }, i) =>
      `import type { I${kind} as T${i} } from '${spec}';\nexport type X${i} = T${i};`,
  );
  const source = lines.join('\n');
  const options = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === virtual || fileExists.call(host, f);
  host.readFile = (f) => (f === virtual ? source : readFile.call(host, f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === virtual
      ? ts.createSourceFile(f, source, lang, true)
      : getSourceFile.call(host, f, lang, ...rest);
  const program = ts.createProgram([virtual], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(virtual);
  const types = new Map();
  for (const stmt of sf.statements) {
    if (ts.isTypeAliasDeclaration(stmt)) {
      const i = Number(stmt.name.text.slice(1));
      types.set(specs[i].spec, checker.getTypeAtLocation(stmt.name));
    }
  }
  const objectish = (t) => !!(t.flags & ts.TypeFlags.Object) || t.getProperties().length > 0;
  function walk(value, type, at, errors, depth = 0) {
    if (value === null || typeof value !== 'object' || depth > 40) return;
    type = checker.getNonNullableType(type);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (Array.isArray(value)) {
      const el = type.getNumberIndexType();
      if (el) value.forEach((v, i) => walk(v, el, `${at}[${i}]`, errors, depth + 1));
      return;
    }
    const candidates = (type.isUnion() ? type.types : [type]).filter(objectish);
    if (!candidates.length) return;
    for (const [key, v] of Object.entries(value)) {
      let next;
      for (const t of candidates) {
        const p = t.getProperty(key);
        if (p) {
          next = checker.getTypeOfSymbolAtLocation(
            p,
            p.valueDeclaration ?? p.declarations?.[0] ?? sf,
          );
          break;
        }
        const idx = t.getStringIndexType();
        if (idx) {
          next = idx;
          break;
        }
      }
      // a CRD whose model declares no spec (x-kubernetes-preserve-unknown-fields, e.g. IstioOperator)
      if (!next && at === '' && key === 'spec') continue;
      if (!next) errors.push(`${at}.${key}: unknown field`);
      else walk(v, next, `${at}.${key}`, errors, depth + 1);
    }
  }
  return (spec, obj) => {
    const errors = [];
    const t = types.get(spec);
    if (t) walk(obj, t, '', errors);
    return errors.map((e) => e.replace(/^\./, ''));
  };
}

export async function validateDocuments(docs) {
  const specs = new Map();
  for (const { obj } of docs) {
    if (!obj?.apiVersion || !obj?.kind) continue;
    const spec = modelModule(obj.apiVersion, obj.kind);
    if (!specs.has(spec) && resolvable(spec))
      specs.set(spec, { spec, kind: obj.kind, Model: (await import(spec))[obj.kind] });
  }
  const strict = strictChecker([...specs.values()]);
  return docs.map(({ file, index, obj }) => {
    const errors = [];
    const kind = obj?.kind;
    const name = obj?.metadata?.name;
    if (!obj?.apiVersion || !kind) errors.push('missing apiVersion/kind');
    else {
      const spec = modelModule(obj.apiVersion, kind);
      const entry = specs.get(spec);
      if (!entry) errors.push(`unknown kind ${obj.apiVersion}/${kind}`);
      else {
        try {
          new entry.Model(obj).validate();
        } catch (err) {
          errors.push(...String(err.message).split(/,\s(?=data)/));
        }
        errors.push(...strict(spec, obj));
      }
      if (!name) errors.push('metadata.name missing');
    }
    return { file, index, kind, name, errors };
  });
}

export function readDocuments(files) {
  const docs = [];
  for (const file of files) {
    parseAllDocuments(readFileSync(file, 'utf8')).forEach((d, index) => {
      if (d.errors.length) throw new Error(`${file}#${index}: ${d.errors[0].message}`);
      const obj = d.toJS();
      if (obj) docs.push({ file, index, obj });
    });
  }
  return docs;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await validateDocuments(readDocuments(process.argv.slice(2)));
  process.stdout.write(JSON.stringify(report));
}
