// Stryker ignorers for `npm run mutate` (see docs/testing.md). Ignored mutants are reported as such,
// with the reason, and left out of the score.
//
// - diagnostic-messages: the text of diagnostic and internal error messages. Their wording is checked by
//   the diagnostic tests where it matters (codes, locations, the key phrases); a mutant that only changes
//   message text changes no semantics, and there are hundreds of them. Diagnostic codes (FMxxx) are still
//   mutated.
// - exhaustive-switch-defaults: the `default` clause of a switch that ends in `const never: never = x`.
//   TypeScript proves the clause unreachable (every member of the closed set has its case); emptying it
//   or the clause itself changes nothing that can run.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** Calls whose string arguments are message text: fail, failAt, this.error, this.err, new Error, new UserError. */
const REPORTERS = new Set(['fail', 'failAt', 'error', 'err', 'Error', 'UserError']);

function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return callee.property.name;
  return undefined;
}

/** Whether statements declare a variable of type `never` (the exhaustiveness check), directly or in a block. */
function declaresNever(statements) {
  return statements.some((s) => (s.type === 'BlockStatement'
    ? declaresNever(s.body)
    : s.type === 'VariableDeclaration' && s.declarations.some((d) => d.id.typeAnnotation?.typeAnnotation?.type === 'TSNeverKeyword')));
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'diagnostic-messages', {
    shouldIgnore(path) {
      if (!path.isStringLiteral() && !path.isTemplateLiteral()) return undefined;
      if (path.isStringLiteral() && /^FM\d{3}$/.test(path.node.value)) return undefined;
      const call = path.parentPath;
      if (!call || !(call.isCallExpression() || call.isNewExpression()) || !call.node.arguments.includes(path.node)) return undefined;
      const name = calleeName(call.node.callee);
      return name !== undefined && REPORTERS.has(name) ? 'message text of a diagnostic or error' : undefined;
    },
  }),
  declareValuePlugin(PluginKind.Ignore, 'exhaustive-switch-defaults', {
    shouldIgnore(path) {
      const clause = path.isSwitchCase() ? path : path.findParent((p) => p.isSwitchCase());
      if (!clause || clause.node.test !== null || !declaresNever(clause.node.consequent)) return undefined;
      return 'the default clause of an exhaustive switch (TypeScript proves it unreachable)';
    },
  }),
];
