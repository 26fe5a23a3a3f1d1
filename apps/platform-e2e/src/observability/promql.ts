/**
 * What the observability e2e specs need to know about a PromQL expression — every metric it
 * reads, the operands of its comparisons (an alert's `x > threshold` is checked by evaluating
 * `x`, which must have data even when the alert does not fire), whether it has a `vector(…)`
 * fallback — read from the syntax tree of Prometheus's own grammar (@prometheus-io/lezer-promql,
 * the parser of the Prometheus UI). The Debian Prometheus (2.42) has no parse API and promtool
 * prints no tree, so the grammar package is the tool.
 *
 * One quirk of that grammar: a subquery or `offset` after a binary operation applies to the whole
 * operation (`a + b[5m:1m]` parses as `(a + b)[5m:1m]`). The dashboards and rules use neither, and
 * the names and comparisons read here do not depend on it.
 */
// The package's types are declared as ESM only, although it ships a CommonJS build for `require`.
type LezerPromql = typeof import('@prometheus-io/lezer-promql', {
  with: { 'resolution-mode': 'import' },
});
const { parser } = require('@prometheus-io/lezer-promql') as LezerPromql;

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

/** The grammar's node names of the filtering comparisons (`==`, `!=`, `<=`, `<`, `>=`, `>`). */
const COMPARISONS = new Set(['Eql', 'Neq', 'Lte', 'Lss', 'Gte', 'Gtr']);

/** The syntax tree of `expr`; throws on a syntax error (the grammar itself recovers from them). */
export function parsePromql(expr: string): Tree {
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) {
        throw new Error(`PromQL syntax error at ${node.from} in ${JSON.stringify(expr)}`);
      }
    },
  });
  return tree;
}

/** Every node of the expression's tree, depth first. */
function nodes(expr: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  parsePromql(expr).iterate({ enter: (node) => void found.push(node.node) });
  return found;
}

const text = (expr: string, node: SyntaxNode) => expr.slice(node.from, node.to);

/** The metric a vector selector names: `name{…}` or `{__name__="name", …}`. */
function selectedName(expr: string, selector: SyntaxNode): string | undefined {
  const identifier = selector.getChild('Identifier');
  if (identifier) return text(expr, identifier);
  for (const matcher of selector.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ??
    []) {
    const label = matcher.getChild('LabelName');
    const value = matcher.getChild('StringLiteral');
    const equals = matcher.getChild('MatchOp')?.getChild('EqlSingle');
    if (label && value && equals && text(expr, label) === '__name__') {
      return (JSON.parse(text(expr, value).replace(/^'|'$/g, '"')) as string) || undefined;
    }
  }
  return undefined;
}

/** Every metric name the expression selects. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const node of nodes(expr)) {
    const name = node.name === 'VectorSelector' ? selectedName(expr, node) : undefined;
    if (name) names.add(name);
  }
  return [...names];
}

/** True when the expression contains a `vector(…)` call (an explicit zero fallback). */
export function hasVectorFallback(expr: string): boolean {
  return nodes(expr).some(
    (node) =>
      node.name === 'FunctionCall' &&
      text(expr, node.getChild('FunctionIdentifier') ?? node) === 'vector',
  );
}

/**
 * What to evaluate to prove an expression reads real data: the left operand of every filtering
 * comparison (`x > 0.05` → `x`; not `x > bool 0.05`), or the whole expression when it has none.
 */
export function probes(expr: string): string[] {
  const found: string[] = [];
  for (const node of nodes(expr)) {
    if (node.name !== 'BinaryExpr' || node.getChild('BoolModifier')) continue;
    const lhs = node.firstChild;
    const operator = lhs?.nextSibling;
    if (lhs && operator && COMPARISONS.has(operator.name)) found.push(text(expr, lhs).trim());
  }
  return found.length ? found : [expr.trim()];
}
