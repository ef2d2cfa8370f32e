import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_ENTERPRISE_USER, type UserAttributes } from '@taskize/scim-core';
import { applyUserPatch, type UserPatchResult } from './apply-user';
import { parsePatchRequest } from './parse';
import { planGroupPatch, type GroupPatchPlan } from './plan-group';

/**
 * Replays every recorded Okta/Entra PATCH body in fixtures/ (written from the vendors' SCIM docs; see
 * /work/shared/notes/idp-requests.md) through parse + apply/plan, against one stated expectation per file.
 */
const FIXTURES = join(__dirname, 'fixtures');
const ENT = SCHEMA_ENTERPRISE_USER;

const user: UserAttributes = {
  userName: 'Test_User_ab6490ee@contoso.com',
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  name: { givenName: 'givenName', familyName: 'familyName', formatted: 'givenName familyName' },
  active: true,
  emails: [{ value: 'Test_User_fd0ea19b@contoso.com', type: 'work', primary: true }],
};
const noEmail: UserAttributes = { userName: 'new.user@contoso.com', active: true };
const batch = Array.from({ length: 100 }, (_, i) => ({ value: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, display: `user${i}@okta.local` }));

type Expectation =
  | { resource: 'User'; source: UserAttributes; expect: UserPatchResult }
  | { resource: 'Group'; expect: GroupPatchPlan };

const none = { add: [], remove: [] };

const expectations: Record<string, Expectation> = {
  'okta/user-deactivate.json': { resource: 'User', source: user, expect: { user: { ...user, active: false }, changed: ['active'] } },
  'okta/user-reactivate.json': { resource: 'User', source: { ...user, active: false }, expect: { user, changed: ['active'] } },
  'okta/group-rename.json': { resource: 'Group', expect: { displayName: 'Test SCIMv2', members: none, changed: ['displayName'] } },
  'okta/group-add-members.json': { resource: 'Group', expect: { members: { add: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }], remove: [] }, changed: ['members'] } },
  'okta/group-add-members-batch.json': { resource: 'Group', expect: { members: { add: batch, remove: [] }, changed: ['members'] } },
  'okta/group-remove-member.json': { resource: 'Group', expect: { members: { add: [], remove: ['89bb1940-b905-4575-9e7f-6f887cfb368e'] }, changed: ['members'] } },
  'okta/group-replace-members.json': {
    resource: 'Group',
    expect: {
      members: {
        replaceAll: [
          { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
          { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'other.user@okta.local' },
        ],
        add: [],
        remove: [],
      },
      changed: ['members'],
    },
  },
  'okta/group-rename-and-members.json': {
    resource: 'Group',
    expect: {
      displayName: 'Test SCIMv2 renamed',
      members: { add: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }], remove: ['89bb1940-b905-4575-9e7f-6f887cfb368e'] },
      changed: ['displayName', 'members'],
    },
  },
  'entra/user-disable.json': { resource: 'User', source: user, expect: { user: { ...user, active: false }, changed: ['active'] } },
  'entra/user-enable.json': { resource: 'User', source: { ...user, active: false }, expect: { user, changed: ['active'] } },
  'entra/user-opt-flag-disable.json': { resource: 'User', source: user, expect: { user: { ...user, active: false }, changed: ['active'] } },
  'entra/user-update-multi-valued.json': {
    resource: 'User',
    source: user,
    expect: {
      user: { ...user, name: { ...user.name, familyName: 'updatedFamilyName' }, emails: [{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }] },
      changed: ['emails', 'name'],
    },
  },
  'entra/user-add-work-email.json': {
    resource: 'User',
    source: noEmail,
    expect: { user: { ...noEmail, emails: [{ value: 'Test_User_fd0ea19b@contoso.com', type: 'work' }] }, changed: ['emails'] },
  },
  'entra/user-update-single-valued.json': {
    resource: 'User',
    source: user,
    expect: { user: { ...user, userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }, changed: ['userName'] },
  },
  'entra/user-add-attributes.json': {
    resource: 'User',
    source: noEmail,
    expect: {
      user: {
        ...noEmail,
        displayName: 'Test User',
        title: 'Manager',
        phoneNumbers: [{ value: '+1 425 555 0100', type: 'mobile' }],
        addresses: [{ locality: 'Redmond', type: 'work' }],
        emails: [{ type: 'work', primary: true }],
      },
      changed: ['addresses', 'displayName', 'emails', 'phoneNumbers', 'title'],
    },
  },
  'entra/user-enterprise.json': {
    resource: 'User',
    source: user,
    expect: { user: { ...user, enterprise: { employeeNumber: '701985', department: 'Marketing' } }, changed: [`${ENT}:department`, `${ENT}:employeeNumber`] },
  },
  'entra/user-manager.json': {
    resource: 'User',
    source: user,
    expect: { user: { ...user, enterprise: { manager: { value: '2819c223-7f76-453a-919d-413861904646' } } }, changed: [`${ENT}:manager`] },
  },
  'entra/user-opt-flag-no-path.json': {
    resource: 'User',
    source: { ...user, active: false },
    expect: {
      user: {
        ...user,
        displayName: 'Babs Jensen',
        name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'givenName familyName' },
        emails: [{ value: 'babs@contoso.com', type: 'work', primary: true }],
        enterprise: { employeeNumber: '701986' },
      },
      changed: ['active', 'displayName', 'emails', 'name', `${ENT}:employeeNumber`],
    },
  },
  'entra/user-opt-flag-extension-object.json': {
    resource: 'User',
    source: user,
    expect: { user: { ...user, enterprise: { department: 'Finance', manager: { value: 'mgr-42' } } }, changed: [`${ENT}:department`, `${ENT}:manager`] },
  },
  'entra/group-add-members.json': {
    resource: 'Group',
    expect: { members: { add: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: '7f4bc1a3-285e-48ae-8202-5accb43efb0e' }], remove: [] }, changed: ['members'] },
  },
  'entra/group-remove-members.json': { resource: 'Group', expect: { members: { add: [], remove: ['f648f8d5ea4e4cd38e9c'] }, changed: ['members'] } },
  'entra/group-rename.json': { resource: 'Group', expect: { displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName', members: none, changed: ['displayName'] } },
  'entra/group-opt-flag-remove-member.json': { resource: 'Group', expect: { members: { add: [], remove: ['7f4bc1a3-285e-48ae-8202-5accb43efb0e'] }, changed: ['members'] } },
  'entra/group-opt-flag-add-member.json': { resource: 'Group', expect: { members: { add: [{ value: '7f4bc1a3-285e-48ae-8202-5accb43efb0e' }], remove: [] }, changed: ['members'] } },
};

const files = ['okta', 'entra'].flatMap((dir) => readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`));

describe('recorded IdP PATCH fixtures', () => {
  it('states an expectation for every fixture file, and has a file for every expectation', () => {
    expect([...files].sort()).toStrictEqual(Object.keys(expectations).sort());
  });

  it.each(files)('replays %s', (file) => {
    const body: unknown = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
    const expectation = expectations[file]!;
    const ops = parsePatchRequest(body, { resource: expectation.resource });
    if (expectation.resource === 'User') {
      expect(applyUserPatch(expectation.source, ops)).toStrictEqual(expectation.expect);
    } else {
      expect(planGroupPatch(ops)).toStrictEqual(expectation.expect);
    }
  });
});
