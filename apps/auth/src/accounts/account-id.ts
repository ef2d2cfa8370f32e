const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * oidc-provider's account id (`sub`) is the membership that approved: organisation and user. One
 * OAuth client is shared by every customer (Okta's OIN model), so the tenant must travel with the
 * account, never come from the client.
 */
export interface AccountRef {
  organisationId: string;
  userId: string;
}

export function toAccountId(ref: AccountRef): string {
  return `${ref.organisationId}:${ref.userId}`;
}

export function parseAccountId(accountId: string): AccountRef | undefined {
  const [organisationId, userId, ...rest] = accountId.split(':');
  if (rest.length || !organisationId || !userId || !UUID.test(organisationId) || !UUID.test(userId)) return undefined;
  return { organisationId, userId };
}
