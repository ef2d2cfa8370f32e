/**
 * Typed AST for RFC 7644 §3.4.2.2 filters. Names are canonical lower-case (attribute names are case-insensitive,
 * RFC 7643 §2.1); values keep the client's case.
 */
export interface AttrPath {
  /** Schema URN prefix, lower-cased, e.g. `urn:ietf:params:scim:schemas:extension:enterprise:2.0:user`. */
  schema?: string;
  /** Attribute name, lower-cased, e.g. `username`, `emails`, `$ref`. */
  attr: string;
  /** Sub-attribute name, lower-cased, e.g. `givenname` in `name.givenName`. */
  subAttr?: string;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export interface CompareNode {
  kind: 'compare';
  path: AttrPath;
  op: CompareOp;
  value: FilterValue;
}

export interface PresentNode {
  kind: 'present';
  path: AttrPath;
}

export interface LogicalNode {
  kind: 'and' | 'or';
  left: FilterNode;
  right: FilterNode;
}

export interface NotNode {
  kind: 'not';
  filter: FilterNode;
}

/**
 * `attr[filter]`: true when at least one element of the multi-valued `attr` satisfies `filter`. Paths inside
 * `filter` are relative to the element (`{ attr: 'type' }` in `emails[type eq "work"]`).
 *
 * The Entra form `emails[type eq "work"].value eq "x"` tests the SAME element on both sides, so the parser folds it
 * into `emails[type eq "work" and value eq "x"]`: one shape, one meaning, for every consumer of the AST.
 */
export interface ValuePathNode {
  kind: 'valuePath';
  attr: AttrPath;
  filter: FilterNode;
}

export type FilterNode = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
