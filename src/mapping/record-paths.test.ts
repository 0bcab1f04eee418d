import { describe, expect, it } from 'vitest';
import type { MappingDocument } from '../domain/mapping.ts';
import { compileMapping, defaultMapping, recordPathsOf } from './index.ts';

describe('the paths a mapping reads from a record', () => {
  it('lists the leading keys of every path that reads the record, once each', () => {
    const mapping: MappingDocument = {
      format: 1,
      version: 1,
      source: { provider: 'salesforce', object: 'Contact' },
      targets: [
        {
          entityType: 'person',
          key: 'Id',
          version: 'SystemModstamp',
          tombstone: { source: 'IsDeleted' },
          fields: [
            { target: 'name', sources: ['FirstName', 'LastName'], transforms: [{ name: 'join_name' }] },
            { target: 'company', source: 'Account.Name' },
            { target: 'tags', source: 'Tags[*].label' },
            { target: 'first', source: 'Emails[0].value' },
            { target: 'again', source: 'FirstName' },
            { target: 'region', source: '$vars.region' },
          ],
          relationships: [{ kind: 'works_at', toEntityType: 'organization', toObject: 'Account', via: 'AccountId' }],
        },
        {
          // Under `each`, paths read the element: only the `each` path and `$record` paths read the record.
          entityType: 'person',
          name: 'assignee',
          object: 'user',
          each: 'Assignees[?active]',
          key: 'id',
          optional: true,
          fields: [{ target: 'login', source: 'login' }, { target: 'team', source: '$record.Team.Name' }],
        },
      ],
    };
    expect([...compileMapping(mapping).recordPaths].sort()).toEqual(
      ['Account.Name', 'AccountId', 'Assignees', 'FirstName', 'Emails', 'Id', 'IsDeleted', 'LastName', 'SystemModstamp', 'Tags', 'Team.Name'].sort(),
    );
  });

  it('includes the Salesforce Contact default mapping\'s parent field, which a query returns only when asked', () => {
    const paths = recordPathsOf(defaultMapping('salesforce', 'Contact')!);
    expect(paths).toContain('Account.Name');
    expect(paths).toEqual(expect.arrayContaining(['Id', 'SystemModstamp', 'IsDeleted', 'AccountId', 'Email', 'Customer_Tier__c']));
  });
});
