/**
 * The sObjects the simulator serves, with the fields `describe` reports and create/update
 * validates: Account, Contact and Opportunity, each with the standard system fields and
 * the custom fields `Customer_Tier__c` (a restricted picklist) and `External_Id__c` (an
 * external id, unique: the key of upserts).
 */

export type FieldType =
  | 'id' | 'boolean' | 'string' | 'picklist' | 'url' | 'phone' | 'int' | 'currency' | 'textarea'
  | 'reference' | 'datetime' | 'date' | 'email' | 'percent';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length?: number;
  /** Required on create (nillable false and no default). */
  required?: boolean;
  createable: boolean;
  updateable: boolean;
  custom?: boolean;
  picklist?: string[];
  restricted?: boolean;
  referenceTo?: string;
  relationshipName?: string;
  /** An External ID field: usable in `PATCH /sobjects/{Type}/{Field}/{value}` upserts. */
  externalId?: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  fields: FieldDef[];
  byLowerName: Map<string, FieldDef>;
  /** Relationship name (lower case) -> reference field (`account` -> AccountId). */
  relationships: Map<string, FieldDef>;
}

const rw = (name: string, label: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name, label, type, createable: true, updateable: true, ...extra,
});
const ro = (name: string, label: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name, label, type, createable: false, updateable: false, ...extra,
});

const TIERS = ['Platinum', 'Gold', 'Silver', 'Bronze'];

const systemFields = (): FieldDef[] => [
  ro('Id', 'Record ID', 'id', { length: 18 }),
  ro('IsDeleted', 'Deleted', 'boolean'),
  rw('OwnerId', 'Owner ID', 'reference', { referenceTo: 'User', relationshipName: 'Owner', length: 18 }),
  ro('CreatedDate', 'Created Date', 'datetime'),
  ro('CreatedById', 'Created By ID', 'reference', { referenceTo: 'User', length: 18 }),
  ro('LastModifiedDate', 'Last Modified Date', 'datetime'),
  ro('LastModifiedById', 'Last Modified By ID', 'reference', { referenceTo: 'User', length: 18 }),
  ro('SystemModstamp', 'System Modstamp', 'datetime'),
];

function define(name: string, label: string, labelPlural: string, keyPrefix: string, fields: FieldDef[]): ObjectDef {
  const all = [...systemFields(), ...fields];
  const relationships = new Map<string, FieldDef>();
  for (const f of all) if (f.relationshipName) relationships.set(f.relationshipName.toLowerCase(), f);
  return { name, label, labelPlural, keyPrefix, fields: all, byLowerName: new Map(all.map((f) => [f.name.toLowerCase(), f])), relationships };
}

export const OBJECTS: Record<string, ObjectDef> = {
  Account: define('Account', 'Account', 'Accounts', '001', [
    rw('Name', 'Account Name', 'string', { length: 255, required: true }),
    rw('Type', 'Account Type', 'picklist', { picklist: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'] }),
    rw('Industry', 'Industry', 'picklist', {
      picklist: ['Technology', 'Finance', 'Healthcare', 'Manufacturing', 'Retail', 'Education', 'Media', 'Energy', 'Consulting'],
    }),
    rw('Website', 'Website', 'url', { length: 255 }),
    rw('Phone', 'Account Phone', 'phone', { length: 40 }),
    rw('BillingCity', 'Billing City', 'string', { length: 40 }),
    rw('BillingCountry', 'Billing Country', 'string', { length: 80 }),
    rw('NumberOfEmployees', 'Employees', 'int'),
    rw('AnnualRevenue', 'Annual Revenue', 'currency'),
    rw('Description', 'Account Description', 'textarea', { length: 32000 }),
    rw('Customer_Tier__c', 'Customer Tier', 'picklist', { custom: true, picklist: TIERS, restricted: true }),
    rw('External_Id__c', 'External Id', 'string', { custom: true, length: 255, externalId: true }),
  ]),
  Contact: define('Contact', 'Contact', 'Contacts', '003', [
    rw('AccountId', 'Account ID', 'reference', { referenceTo: 'Account', relationshipName: 'Account', length: 18 }),
    rw('Salutation', 'Salutation', 'picklist', { picklist: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }),
    rw('FirstName', 'First Name', 'string', { length: 40 }),
    rw('LastName', 'Last Name', 'string', { length: 80, required: true }),
    ro('Name', 'Full Name', 'string', { length: 121 }),
    rw('Title', 'Title', 'string', { length: 128 }),
    rw('Department', 'Department', 'string', { length: 80 }),
    rw('Email', 'Email', 'email', { length: 80 }),
    rw('Phone', 'Business Phone', 'phone', { length: 40 }),
    rw('MobilePhone', 'Mobile Phone', 'phone', { length: 40 }),
    rw('MailingCity', 'Mailing City', 'string', { length: 40 }),
    rw('MailingCountry', 'Mailing Country', 'string', { length: 80 }),
    rw('LeadSource', 'Lead Source', 'picklist', { picklist: ['Web', 'Phone Inquiry', 'Partner Referral', 'Trade Show', 'Other'] }),
    rw('Description', 'Contact Description', 'textarea', { length: 32000 }),
    rw('Customer_Tier__c', 'Customer Tier', 'picklist', { custom: true, picklist: TIERS, restricted: true }),
    rw('External_Id__c', 'External Id', 'string', { custom: true, length: 255, externalId: true }),
  ]),
  Opportunity: define('Opportunity', 'Opportunity', 'Opportunities', '006', [
    rw('AccountId', 'Account ID', 'reference', { referenceTo: 'Account', relationshipName: 'Account', length: 18 }),
    rw('ContactId', 'Contact ID', 'reference', { referenceTo: 'Contact', relationshipName: 'Contact', length: 18 }),
    rw('Name', 'Name', 'string', { length: 120, required: true }),
    rw('StageName', 'Stage', 'picklist', {
      required: true,
      restricted: true,
      picklist: ['Prospecting', 'Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'],
    }),
    rw('CloseDate', 'Close Date', 'date', { required: true }),
    rw('Amount', 'Amount', 'currency'),
    rw('Probability', 'Probability (%)', 'percent'),
    rw('Description', 'Description', 'textarea', { length: 32000 }),
  ]),
};

/** The object definition for a name in any case, or undefined. */
export function objectDef(name: string): ObjectDef | undefined {
  const lower = name.toLowerCase();
  for (const def of Object.values(OBJECTS)) if (def.name.toLowerCase() === lower) return def;
  return undefined;
}

export function describe(def: ObjectDef, version: string) {
  const base = `/services/data/${version}/sobjects/${def.name}`;
  return {
    name: def.name,
    label: def.label,
    labelPlural: def.labelPlural,
    keyPrefix: def.keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
    fields: def.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      length: f.length ?? 0,
      custom: f.custom ?? false,
      nillable: !f.required && f.type !== 'boolean' && f.name !== 'Id' && !['CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'CreatedById', 'LastModifiedById', 'OwnerId'].includes(f.name),
      createable: f.createable,
      updateable: f.updateable,
      defaultedOnCreate: ['Id', 'IsDeleted', 'OwnerId', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp'].includes(f.name),
      calculated: f.name === 'Name' && def.name === 'Contact',
      filterable: f.type !== 'textarea',
      sortable: f.type !== 'textarea',
      picklistValues: (f.picklist ?? []).map((value) => ({ active: true, defaultValue: false, label: value, value })),
      restrictedPicklist: f.restricted ?? false,
      referenceTo: f.referenceTo ? [f.referenceTo] : [],
      relationshipName: f.relationshipName ?? null,
      externalId: f.externalId ?? false,
      unique: f.externalId ?? false,
    })),
  };
}
