#!/usr/bin/env node
// Dead exports: an export of a module in src/ that no module imports (src, test or bench) and that its own module
// does not use either, so deleting it changes nothing. ESLint sees one file at a time and dependency-cruiser sees
// modules, not names, so this check reads the TypeScript program (tsconfig.json) itself. An export used only inside
// its own module is left alone: it may be exported for the types of a public signature. Part of `npm run lint`;
// prints each dead export as `file: name` and exits 1 when there is any.
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const parsed = ts.getParsedCommandLineOfConfigFile(
  resolve(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
const checker = program.getTypeChecker();
const sources = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));

/** The declaration an alias (import, re-export) finally stands for. */
function original(symbol) {
  let s = symbol;
  while (s.flags & ts.SymbolFlags.Alias) {
    const target = checker.getAliasedSymbol(s);
    if (!target || target === s) break;
    s = target;
  }
  return s;
}

const declaredIn = (symbol) => symbol.declarations?.[0]?.getSourceFile();

/** Whether an identifier is the name a declaration introduces (not a use of it). */
function isDeclarationName(node) {
  const parent = node.parent;
  return parent !== undefined && 'name' in parent && parent.name === node && ts.isDeclaration(parent);
}

const usedElsewhere = new Set();
const usedAtHome = new Set();
for (const file of sources) {
  const visit = (node) => {
    if (ts.isNamespaceImport(node)) {
      // `import * as m`: every export of m counts as used (the table in api/handlers/index.ts reads them that way).
      const module = checker.getSymbolAtLocation(node.name);
      if (module) for (const e of checker.getExportsOfModule(original(module))) usedElsewhere.add(original(e));
    } else if (ts.isIdentifier(node) && !ts.isExportSpecifier(node.parent) && !isDeclarationName(node)) {
      const symbol = checker.getSymbolAtLocation(node);
      if (symbol) {
        const target = original(symbol);
        if (declaredIn(target) === file) usedAtHome.add(target);
        else usedElsewhere.add(target);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

const dead = [];
for (const file of sources) {
  const path = relative(root, file.fileName);
  if (!path.startsWith('src/')) continue;
  const module = checker.getSymbolAtLocation(file);
  if (!module) continue;
  for (const exported of checker.getExportsOfModule(module)) {
    const target = original(exported);
    if (declaredIn(target) !== file) continue; // a re-export is judged where it is declared
    if (!usedElsewhere.has(target) && !usedAtHome.has(target)) dead.push(`${path}: ${exported.name}`);
  }
}

if (dead.length > 0) {
  console.error(`unused-exports: ${dead.length} export(s) nothing uses; delete them:`);
  for (const line of dead.sort()) console.error(`  ${line}`);
  process.exit(1);
}
console.log('unused-exports: every export of src/ is used');
