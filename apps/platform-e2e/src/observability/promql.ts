/**
 * A small PromQL parser for the observability e2e specs: enough of the grammar to find every
 * metric an expression reads and the operands of its comparisons (an alert's `x > threshold` is
 * checked by evaluating `x`, which must have data even when the alert does not fire).
 */

export type Node =
  | { kind: 'number'; start: number; end: number }
  | { kind: 'string'; start: number; end: number }
  | { kind: 'selector'; name?: string; start: number; end: number }
  | { kind: 'call'; func: string; args: Node[]; start: number; end: number }
  | { kind: 'paren'; expr: Node; start: number; end: number }
  | { kind: 'unary'; expr: Node; start: number; end: number }
  | { kind: 'postfix'; expr: Node; start: number; end: number }
  | { kind: 'binary'; op: string; bool: boolean; lhs: Node; rhs: Node; start: number; end: number };

interface Token {
  type: 'num' | 'str' | 'ident' | 'dur' | 'op' | 'punct' | 'eof';
  value: string;
  start: number;
  end: number;
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};
export const COMPARISONS = new Set(['==', '!=', '<=', '<', '>=', '>']);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i += 1;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'" || c === '`') {
      i += 1;
      while (i < src.length && src[i] !== c) i += src[i] === '\\' && c !== '`' ? 2 : 1;
      i += 1;
      tokens.push({ type: 'str', value: src.slice(start, i), start, end: i });
      continue;
    }
    const duration = /^(\d+(ms|[smhdwy]))+/.exec(src.slice(i));
    if (duration) {
      i += duration[0].length;
      tokens.push({ type: 'dur', value: duration[0], start, end: i });
      continue;
    }
    const number = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(src.slice(i));
    if (number) {
      i += number[0].length;
      tokens.push({ type: 'num', value: number[0], start, end: i });
      continue;
    }
    // `[5m:1m]`: a colon after a duration is the subquery separator, not part of a name.
    const previous = tokens[tokens.length - 1]?.type;
    if (c === ':' && (previous === 'dur' || previous === 'num')) {
      i += 1;
      tokens.push({ type: 'punct', value: c, start, end: i });
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(src.slice(i));
    if (ident) {
      i += ident[0].length;
      tokens.push({ type: 'ident', value: ident[0], start, end: i });
      continue;
    }
    const op = /^(==|!=|<=|>=|=~|!~|[-+*/%^<>=])/.exec(src.slice(i));
    if (op) {
      i += op[0].length;
      tokens.push({ type: 'op', value: op[0], start, end: i });
      continue;
    }
    if ('(){}[],:@'.includes(c)) {
      i += 1;
      tokens.push({ type: 'punct', value: c, start, end: i });
      continue;
    }
    throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  tokens.push({ type: 'eof', value: '', start: src.length, end: src.length });
  return tokens;
}

class Parser {
  private pos = 0;
  private readonly tokens: Token[];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): Node {
    const node = this.expr(0);
    if (this.peek().type !== 'eof') this.fail('end of expression');
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private is(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type !== 'str' && t.value === value;
  }

  private expect(value: string): Token {
    if (!this.is(value)) this.fail(`"${value}"`);
    return this.next();
  }

  private fail(expected: string): never {
    const t = this.peek();
    throw new Error(`expected ${expected} at ${t.start}, found ${JSON.stringify(t.value)}`);
  }

  private binaryOp(): string | undefined {
    const t = this.peek();
    if ((t.type === 'op' || t.type === 'ident') && t.value in BINARY_PRECEDENCE) return t.value;
    return undefined;
  }

  private expr(minPrecedence: number): Node {
    let lhs = this.unary();
    for (;;) {
      const op = this.binaryOp();
      if (!op) return lhs;
      const precedence = BINARY_PRECEDENCE[op]!;
      if (precedence < minPrecedence) return lhs;
      this.next();
      let bool = false;
      if (this.is('bool')) {
        this.next();
        bool = true;
      }
      if (this.is('on') || this.is('ignoring')) {
        this.next();
        this.labelList();
      }
      if (this.is('group_left') || this.is('group_right')) {
        this.next();
        if (this.is('(')) this.labelList();
      }
      const rhs = this.expr(op === '^' ? precedence : precedence + 1);
      lhs = { kind: 'binary', op, bool, lhs, rhs, start: lhs.start, end: rhs.end };
    }
  }

  private unary(): Node {
    if (this.is('-') || this.is('+')) {
      const start = this.next().start;
      const expr = this.unary();
      return { kind: 'unary', expr, start, end: expr.end };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.is('[')) {
        this.next();
        this.duration();
        if (this.is(':')) {
          this.next();
          if (!this.is(']')) this.duration();
        }
        const end = this.expect(']').end;
        node = { kind: 'postfix', expr: node, start: node.start, end };
      } else if (this.is('offset')) {
        this.next();
        if (this.is('-')) this.next();
        const end = this.duration().end;
        node = { kind: 'postfix', expr: node, start: node.start, end };
      } else if (this.is('@')) {
        this.next();
        let end: number;
        if (this.is('start') || this.is('end')) {
          this.next();
          this.expect('(');
          end = this.expect(')').end;
        } else {
          end = this.next().end;
        }
        node = { kind: 'postfix', expr: node, start: node.start, end };
      } else {
        return node;
      }
    }
  }

  private duration(): Token {
    const t = this.next();
    if (t.type !== 'dur' && t.type !== 'num') this.fail('a duration');
    return t;
  }

  private labelList(): void {
    this.expect('(');
    while (!this.is(')')) {
      const t = this.next();
      if (t.type !== 'ident' && t.type !== 'str') this.fail('a label name');
      if (this.is(',')) this.next();
    }
    this.expect(')');
  }

  private matchers(): { end: number; name?: string } {
    this.expect('{');
    let name: string | undefined;
    while (!this.is('}')) {
      const label = this.next();
      if (label.type === 'str' && (this.is(',') || this.is('}'))) {
        name = JSON.parse(label.value.replace(/^'|'$/g, '"')) as string;
      } else {
        if (label.type !== 'ident') this.fail('a label name');
        const op = this.next();
        if (!['=', '!=', '=~', '!~'].includes(op.value)) this.fail('a matcher operator');
        const value = this.next();
        if (value.type !== 'str') this.fail('a quoted label value');
        if (label.value === '__name__' && op.value === '=') name = value.value.slice(1, -1);
      }
      if (this.is(',')) this.next();
    }
    return { end: this.expect('}').end, name };
  }

  private primary(): Node {
    const t = this.peek();
    if (t.type === 'num') {
      this.next();
      return { kind: 'number', start: t.start, end: t.end };
    }
    if (t.type === 'str') {
      this.next();
      return { kind: 'string', start: t.start, end: t.end };
    }
    if (this.is('(')) {
      this.next();
      const expr = this.expr(0);
      const end = this.expect(')').end;
      return { kind: 'paren', expr, start: t.start, end };
    }
    if (this.is('{')) {
      const { end, name } = this.matchers();
      return { kind: 'selector', name, start: t.start, end };
    }
    if (t.type !== 'ident') this.fail('an expression');
    this.next();
    const lower = t.value.toLowerCase();
    if (lower === 'inf' || lower === 'nan') return { kind: 'number', start: t.start, end: t.end };
    if (AGGREGATIONS.has(t.value) && (this.is('(') || this.is('by') || this.is('without'))) {
      if (this.is('by') || this.is('without')) {
        this.next();
        this.labelList();
      }
      const { args, end: argsEnd } = this.args();
      let end = argsEnd;
      if (this.is('by') || this.is('without')) {
        this.next();
        this.labelList();
        end = this.tokens[this.pos - 1]!.end;
      }
      return { kind: 'call', func: t.value, args, start: t.start, end };
    }
    if (this.is('(')) {
      const { args, end } = this.args();
      return { kind: 'call', func: t.value, args, start: t.start, end };
    }
    if (this.is('{')) {
      const { end } = this.matchers();
      return { kind: 'selector', name: t.value, start: t.start, end };
    }
    return { kind: 'selector', name: t.value, start: t.start, end: t.end };
  }

  private args(): { args: Node[]; end: number } {
    this.expect('(');
    const args: Node[] = [];
    while (!this.is(')')) {
      args.push(this.expr(0));
      if (this.is(',')) this.next();
      else if (!this.is(')')) this.fail('"," or ")"');
    }
    return { args, end: this.expect(')').end };
  }
}

export function parsePromql(expr: string): Node {
  return new Parser(tokenize(expr)).parse();
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  switch (node.kind) {
    case 'call':
      node.args.forEach((arg) => walk(arg, visit));
      break;
    case 'paren':
    case 'unary':
    case 'postfix':
      walk(node.expr, visit);
      break;
    case 'binary':
      walk(node.lhs, visit);
      walk(node.rhs, visit);
      break;
    default:
  }
}

/** Every metric name the expression selects. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  walk(parsePromql(expr), (node) => {
    if (node.kind === 'selector' && node.name) names.add(node.name);
  });
  return [...names];
}

/** True when the expression contains a `vector(…)` call (an explicit zero fallback). */
export function hasVectorFallback(expr: string): boolean {
  let found = false;
  walk(parsePromql(expr), (node) => {
    if (node.kind === 'call' && node.func === 'vector') found = true;
  });
  return found;
}

/**
 * What to evaluate to prove an expression reads real data: the left operand of every filtering
 * comparison (`x > 0.05` → `x`), or the whole expression when it has none.
 */
export function probes(expr: string): string[] {
  const found: string[] = [];
  walk(parsePromql(expr), (node) => {
    if (node.kind === 'binary' && COMPARISONS.has(node.op) && !node.bool) {
      found.push(expr.slice(node.lhs.start, node.lhs.end).trim());
    }
  });
  return found.length ? found : [expr.trim()];
}
