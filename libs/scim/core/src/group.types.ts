/**
 * The canonical SCIM Group (RFC 7643 §4.2) as the gateway emits it and the directory stores it: no `id`/`meta`,
 * no nulls, member `type` in its canonical spelling.
 */
export interface GroupMember {
  /** The member's `id` in this tenant (a User, or a Group when `type` is "Group"). */
  value: string;
  display?: string;
  type?: 'User' | 'Group';
  $ref?: string;
}

export interface GroupAttributes {
  displayName: string;
  externalId?: string;
  members?: GroupMember[];
}

/** What the directory stores and returns for one group; rendered into a SCIM resource by `renderGroup`. */
export interface StoredGroup {
  id: string;
  displayName: string;
  externalId?: string;
  /** Absent when the member list was not loaded (`excludedAttributes=members`), so the key is not rendered. */
  members?: GroupMember[];
  created: string;
  lastModified: string;
  version: number;
}
