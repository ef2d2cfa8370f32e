/**
 * The canonical, normalised SCIM User (RFC 7643 §4.1 + enterprise extension §4.3) as the gateway emits it
 * and the directory stores it: canonical attribute names, real booleans, no `id`/`meta`/`password`,
 * no nulls (a null from the client means "absent", RFC 7644 §3.5.1).
 */
export interface MultiValue {
  value?: string;
  display?: string;
  type?: string;
  primary?: boolean;
  $ref?: string;
}

export interface Address {
  formatted?: string;
  streetAddress?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  type?: string;
  primary?: boolean;
}

export interface Name {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}

export interface Manager {
  value?: string;
  $ref?: string;
  displayName?: string;
}

export interface EnterpriseUser {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  manager?: Manager;
}

export interface UserAttributes {
  userName: string;
  externalId?: string;
  name?: Name;
  displayName?: string;
  nickName?: string;
  profileUrl?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active: boolean;
  emails?: MultiValue[];
  phoneNumbers?: MultiValue[];
  ims?: MultiValue[];
  photos?: MultiValue[];
  addresses?: Address[];
  entitlements?: MultiValue[];
  roles?: MultiValue[];
  x509Certificates?: MultiValue[];
  /** urn:ietf:params:scim:schemas:extension:enterprise:2.0:User */
  enterprise?: EnterpriseUser;
}

/** What the directory stores and returns for one user; rendered into a SCIM resource by `renderUser`. */
export interface StoredUser {
  id: string;
  attributes: UserAttributes;
  created: string;
  lastModified: string;
  version: number;
  /**
   * The Taskize account this directory user is (issue 5 item 7, set by the directory when auth links an
   * account). Never rendered into SCIM; carried on identity events as `taskizeAccountId`.
   */
  accountId?: string;
}
