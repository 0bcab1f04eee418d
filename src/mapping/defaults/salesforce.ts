/**
 * Salesforce defaults: Account, Contact and Opportunity as the REST query API returns them
 * (`records[]` items with `attributes`, standard field API names, relationship fields such
 * as `Account.Name` when the SOQL selects them). Read-only system fields are not pushed.
 */
import type { MappingDocument } from '../../domain/mapping.ts';
import { field, readOnly, t } from './build.ts';

const system = [readOnly('createdAt', 'CreatedDate', [t('datetime')]), readOnly('updatedAt', 'LastModifiedDate', [t('datetime')])];

export const SALESFORCE_ACCOUNT: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'salesforce', object: 'Account' },
  targets: [
    {
      entityType: 'organization',
      key: 'Id',
      version: 'SystemModstamp',
      tombstone: { source: 'IsDeleted' },
      fields: [
        field('name', 'Name', [t('trim')], { required: true }),
        field('website', 'Website', [t('url')]),
        readOnly('domain', 'Website', [t('domain_from_url')]),
        field('type', 'Type'),
        field('industry', 'Industry'),
        field('phone', 'Phone', [t('phone_e164')]),
        field('employees', 'NumberOfEmployees', [t('to_integer')]),
        field('annualRevenue', 'AnnualRevenue', [t('to_number')]),
        field('city', 'BillingCity', [t('trim')]),
        field('country', 'BillingCountry', [t('country_code')]),
        field('description', 'Description'),
        field('tier', 'Customer_Tier__c'),
        readOnly('ownerId', 'OwnerId'),
        ...system,
      ],
      relationships: [{ kind: 'subsidiary_of', toEntityType: 'organization', toObject: 'Account', via: 'ParentId' }],
    },
  ],
};

export const SALESFORCE_CONTACT: MappingDocument = {
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
        field('givenName', 'FirstName', [t('trim')]),
        field('familyName', 'LastName', [t('trim')]),
        // Name is computed by Salesforce; FirstName/LastName carry the writes.
        readOnly('name', ['FirstName', 'LastName'], [t('join_name')]),
        field('salutation', 'Salutation'),
        field('email', 'Email', [t('email')]),
        field('phone', 'Phone', [t('phone_e164')]),
        field('mobilePhone', 'MobilePhone', [t('phone_e164')]),
        field('title', 'Title', [t('trim')]),
        field('department', 'Department'),
        field('city', 'MailingCity', [t('trim')]),
        field('country', 'MailingCountry', [t('country_code')]),
        field('leadSource', 'LeadSource'),
        field('description', 'Description'),
        field('tier', 'Customer_Tier__c'),
        // A relationship field (Account.Name) is the parent's, never written through the child.
        readOnly('organizationName', 'Account.Name'),
        ...system,
      ],
      relationships: [{ kind: 'works_at', toEntityType: 'organization', toObject: 'Account', via: 'AccountId' }],
    },
    {
      // The contact's account, as far as the contact query shows it: a partial view that
      // the Account sync completes (the writer merges fields of the same link).
      entityType: 'organization',
      name: 'account',
      object: 'Account',
      key: 'AccountId',
      optional: true,
      fields: [field('name', 'Account.Name')],
    },
  ],
};

export const SALESFORCE_OPPORTUNITY: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'salesforce', object: 'Opportunity' },
  targets: [
    {
      entityType: 'deal',
      key: 'Id',
      version: 'SystemModstamp',
      tombstone: { source: 'IsDeleted' },
      fields: [
        field('name', 'Name', [t('trim')], { required: true }),
        field('amount', 'Amount', [t('to_number')]),
        // Present only in multi-currency orgs.
        field('currency', 'CurrencyIsoCode', [t('upper')]),
        field('stage', 'StageName'),
        readOnly('status', 'StageName', [t('map_values', { 'Closed Won': 'won', 'Closed Lost': 'lost' }, 'open')]),
        field('probability', 'Probability', [t('to_number')]),
        field('closeDate', 'CloseDate', [t('date')]),
        field('type', 'Type'),
        field('description', 'Description'),
        readOnly('isClosed', 'IsClosed'),
        readOnly('isWon', 'IsWon'),
        readOnly('organizationName', 'Account.Name'),
        ...system,
      ],
      relationships: [
        { kind: 'belongs_to', toEntityType: 'organization', toObject: 'Account', via: 'AccountId' },
        { kind: 'has_contact', toEntityType: 'person', toObject: 'Contact', via: 'ContactId' },
      ],
    },
  ],
};
