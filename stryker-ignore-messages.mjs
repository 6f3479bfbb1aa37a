// A Stryker ignorer for `npm run mutate` (see docs/testing.md): the text of diagnostic and internal
// error messages. Their wording is checked by the diagnostic tests where it matters (codes, locations,
// the key phrases); a mutant that only changes message text changes no semantics, and there are
// hundreds of them. Diagnostic codes (FMxxx) are still mutated.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** Calls whose string arguments are message text: fail, failAt, this.error, this.err, new Error, new UserError. */
const REPORTERS = new Set(['fail', 'failAt', 'error', 'err', 'Error', 'UserError']);

function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return callee.property.name;
  return undefined;
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
];
