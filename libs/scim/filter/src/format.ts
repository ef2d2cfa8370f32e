import type { AttrPath, FilterNode } from './ast';

export function formatAttrPath(path: AttrPath): string {
  const name = path.subAttr === undefined ? path.attr : `${path.attr}.${path.subAttr}`;
  return path.schema === undefined ? name : `${path.schema}:${name}`;
}

/**
 * Renders an AST back into canonical filter text (lower-case names, JSON values, explicit parentheses around
 * nested logical nodes). `parseFilter(formatFilter(n))` yields `n` again; used for logs and cache keys.
 */
export function formatFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'compare':
      return `${formatAttrPath(node.path)} ${node.op} ${JSON.stringify(node.value)}`;
    case 'present':
      return `${formatAttrPath(node.path)} pr`;
    case 'not':
      return `not (${formatFilter(node.filter)})`;
    case 'valuePath':
      return `${formatAttrPath(node.attr)}[${formatFilter(node.filter)}]`;
    case 'and':
    case 'or':
      return `${operand(node.left)} ${node.kind} ${operand(node.right)}`;
  }
}

function operand(node: FilterNode): string {
  return node.kind === 'and' || node.kind === 'or' ? `(${formatFilter(node)})` : formatFilter(node);
}
